import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsRepository } from './invitations.repository.js';
import { InvitationsService } from './invitations.service.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { INVITATION_ERROR_CODES } from './invitations.errors.js';

registerErrorCodes(INVITATION_ERROR_CODES);

@Module({
  imports: [UsersModule, AuthModule, TenantsModule],
  controllers: [InvitationsController],
  providers: [InvitationsRepository, InvitationsService],
  exports: [InvitationsService],
})
export class InvitationsModule {}
