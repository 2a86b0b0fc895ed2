import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module.js';
import { Membership } from './membership.entity.js';
import { MembershipsRepository } from './memberships.repository.js';
import { User } from './user.entity.js';
import { ProfileController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { USER_ERROR_CODES } from './users.errors.js';

registerErrorCodes(USER_ERROR_CODES);

@Module({
  imports: [TypeOrmModule.forFeature([User, Membership]), TenantsModule],
  controllers: [ProfileController],
  providers: [UsersRepository, MembershipsRepository, UsersService],
  exports: [UsersRepository, MembershipsRepository, UsersService],
})
export class UsersModule {}
