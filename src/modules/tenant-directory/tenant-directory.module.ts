import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminTenantsController } from './admin-tenants.controller.js';
import { TenantDirectoryService } from './tenant-directory.service.js';

/** The list of schools across the platform: `/admin/tenants` here, `/mt/tenants` in market. */
@Module({
  imports: [TenantsModule, UsersModule],
  controllers: [AdminTenantsController],
  providers: [TenantDirectoryService],
  exports: [TenantDirectoryService],
})
export class TenantDirectoryModule {}
