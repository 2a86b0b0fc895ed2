import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module.js';
import { Membership } from './membership.entity.js';
import { MemberAdminRepository } from './member-admin.repository.js';
import { MembershipsRepository } from './memberships.repository.js';
import { User } from './user.entity.js';
import { ProfileController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { USER_ERROR_CODES } from './users.errors.js';

registerErrorCodes(USER_ERROR_CODES);
import { Profiles } from './profiles.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, Membership]), TenantsModule],
  controllers: [ProfileController],
  providers: [UsersRepository, MembershipsRepository, MemberAdminRepository, Profiles],
  exports: [UsersRepository, MembershipsRepository, MemberAdminRepository, Profiles],
})
export class UsersModule {}
