import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ClassesModule } from '../classes/classes.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { InvitationsModule } from '../invitations/invitations.module.js';
import { LicensesModule } from '../licenses/licenses.module.js';
import { UsersModule } from '../users/users.module.js';
import { UserAdminController } from './user-admin.controller.js';
import { UserAdminService } from './user-admin.service.js';

/** User management for tenant admins and super admins (/api/v1/users). */
@Module({
  imports: [
    UsersModule,
    AuthModule,
    InvitationsModule,
    ClassesModule,
    TenantsModule,
    LicensesModule,
  ],
  controllers: [UserAdminController],
  providers: [UserAdminService],
  exports: [UserAdminService],
})
export class UserAdminModule {}
