import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module.js';
import { Membership } from './membership.entity.js';
import { MemberAdminRepository } from './member-admin.repository.js';
import { MembershipsRepository } from './memberships.repository.js';
import { User } from './user.entity.js';
import { ProfileController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User, Membership]), TenantsModule],
  controllers: [ProfileController],
  providers: [UsersRepository, MembershipsRepository, MemberAdminRepository, UsersService],
  exports: [UsersRepository, MembershipsRepository, MemberAdminRepository, UsersService],
})
export class UsersModule {}
