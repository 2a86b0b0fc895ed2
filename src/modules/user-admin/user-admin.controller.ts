import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { noteAuditTarget } from '../../common/audit/audit-target.js';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentPrincipal } from '../../common/auth/current-principal.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import type { Principal, UserPrincipal } from '../../common/auth/principal.js';
import { resolveTenantScope } from '../../common/auth/tenant-access.js';
import { TenantIdPipe } from '../../common/validation/tenant-id.pipe.js';
import { AdminUserDto, AdminUserPageDto } from './dto/admin-user.dto.js';
import { CreatedUserDto, CreateUserDto, TemporaryPasswordDto } from './dto/create-user.dto.js';
import { ListUsersQueryDto } from './dto/list-users.query.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { InvitationDto } from '../invitations/dto/invitation.dto.js';
import { UserAdminService } from './user-admin.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';

const TENANT_QUERY = {
  name: 'tenant_id',
  required: false,
  description:
    'Super admins: the tenant whose membership is meant (tenant admins: always their own)',
};

@ApiTags('users')
@Controller('users')
export class UserAdminController {
  constructor(private readonly admin: UserAdminService) {}

  @Get()
  @Access({ roles: ['admin'], apiKeyScopes: ['users:read'], impersonation: 'refused' })
  @ApiOperation({
    summary: 'Members of your tenant (super admins: everyone, or one tenant)',
    description:
      'Filters: role, status, q (email or name), created_after. Sort: created_at, last_login_at or email, asc or desc. Offset pagination with total.',
  })
  @ApiOkResponse({ type: AdminUserPageDto })
  @ApiErrors('COMMON_FORBIDDEN')
  list(
    @CurrentPrincipal() user: Principal,
    @Query() query: ListUsersQueryDto,
  ): Promise<AdminUserPageDto> {
    return this.admin.list(user, resolveTenantScope(user, query.tenant_id), query);
  }

  @Post()
  @Access({ roles: ['admin', 'teacher'], apiKeyScopes: ['users:write'], impersonation: 'refused' })
  @Audited({ action: 'user.created_by_admin', resource: 'user' })
  @ApiOperation({
    summary:
      'Add a member: an invitation for an email, or a school-managed pupil account with a username',
    description:
      'School admins add a member with an email by invitation (202), whether or not the address has an account: the answer, the mail and the work done are the same either way, so nothing says whether the address is known. Accepting makes the account (school-managed) or, for an existing account, the membership. temporary_password (and username) with an email is refused (400): the person sets their own password. invite: true is accepted and optional (deprecated; email members are always invited). Teachers (and admins) add pupils with a username and no email (201): a school-managed account with a temporary password to change at the first sign-in, generated and returned once without temporary_password. Super admins (tenant_id required) make an account for a new email (201) and invite an existing one (202).',
  })
  @ApiAcceptedResponse({
    type: InvitationDto,
    description:
      'A member with an email (school admins: always; super admins: an address that has an account, or invite: true): the invitation was mailed',
  })
  @ApiCreatedResponse({
    type: CreatedUserDto,
    description: 'A pupil with a username, or a super admin adding a new email: the account',
  })
  @ApiErrors(
    'AUTH_FORBIDDEN',
    'COMMON_FORBIDDEN',
    'USER_ALREADY_MEMBER',
    'USER_USERNAME_TAKEN',
    'TENANT_USER_LIMIT_REACHED',
  )
  async create(
    @CurrentPrincipal() user: Principal,
    @Body() dto: CreateUserDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedUserDto | InvitationDto> {
    const added = await this.admin.create(user, resolveTenantScope(user, dto.tenant_id), dto);
    if (added.kind === 'invited') {
      noteAuditTarget({ resourceType: 'invitation', resourceId: added.invitation.id });
      void reply.status(HttpStatus.ACCEPTED);
      return added.invitation;
    }
    return added.member;
  }

  @Get(':id')
  @Access({ roles: ['admin'], apiKeyScopes: ['users:read'], impersonation: 'refused' })
  @ApiOperation({ summary: 'One member' })
  @ApiQuery(TENANT_QUERY)
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors('USER_NOT_FOUND', 'COMMON_FORBIDDEN')
  get(
    @CurrentPrincipal() user: Principal,
    @Param('id', UuidPipe) id: string,
    @Query('tenant_id', TenantIdPipe) tenantId?: string,
  ): Promise<AdminUserDto> {
    return this.admin.get(user, resolveTenantScope(user, tenantId), id);
  }

  @Patch(':id')
  @Access({ roles: ['admin'], apiKeyScopes: ['users:write'], impersonation: 'refused' })
  @Audited({ action: 'user.admin_updated', resource: 'user' })
  @ApiOperation({
    summary: "Change a member's role or status; super admins also the account and platform role",
    description:
      'Suspending a member ends their sessions in the tenant at once; disabling an account (is_active: false) ends all of them.',
  })
  @ApiQuery(TENANT_QUERY)
  @ApiOkResponse({ type: AdminUserDto })
  @ApiErrors('USER_NOT_FOUND', 'COMMON_FORBIDDEN', 'AUTH_FORBIDDEN', 'COMMON_CONFLICT')
  update(
    @CurrentPrincipal() user: Principal,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdateUserDto,
    @Query('tenant_id', TenantIdPipe) tenantId?: string,
  ): Promise<AdminUserDto> {
    return this.admin.update(user, resolveTenantScope(user, tenantId), id, dto);
  }

  @Delete(':id')
  @Access({ roles: ['admin'], apiKeyScopes: ['users:write'], impersonation: 'refused' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'user.deleted', resource: 'user' })
  @ApiOperation({
    summary: 'Remove a member from your tenant (the account is deleted with its last membership)',
    description:
      'Super admins without tenant_id delete the account: the email becomes free and sign-in is refused (event user.deleted).',
  })
  @ApiQuery(TENANT_QUERY)
  @ApiNoContentResponse()
  @ApiErrors('USER_NOT_FOUND', 'COMMON_FORBIDDEN', 'AUTH_FORBIDDEN', 'COMMON_CONFLICT')
  async remove(
    @CurrentPrincipal() user: Principal,
    @Param('id', UuidPipe) id: string,
    @Query('tenant_id', TenantIdPipe) tenantId?: string,
  ): Promise<void> {
    await this.admin.remove(user, resolveTenantScope(user, tenantId), id);
  }

  @Post(':id/reset-password')
  @Access({ roles: ['admin', 'teacher'], impersonation: 'refused' })
  @HttpCode(HttpStatus.OK)
  @Audited({ action: 'user.password_reset_by_admin', resource: 'user' })
  @ApiOperation({
    summary: 'Give a member a temporary password (shown once); their sessions end',
    description:
      'Only for accounts the school manages (made by it, member of no other school). Teachers: only students of their classes that an admin put there or that have been there for 24 hours, with no staff role anywhere.',
  })
  @ApiQuery(TENANT_QUERY)
  @ApiOkResponse({ type: TemporaryPasswordDto })
  @ApiErrors(
    'USER_NOT_FOUND',
    'COMMON_FORBIDDEN',
    'AUTH_FORBIDDEN',
    'USER_ACCOUNT_SELF_MANAGED',
    'USER_ACCOUNT_MANAGED_ELSEWHERE',
    'USER_NOT_YOUR_PUPIL',
    'COMMON_CONFLICT',
  )
  resetPassword(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidPipe) id: string,
    @Query('tenant_id', TenantIdPipe) tenantId?: string,
  ): Promise<TemporaryPasswordDto> {
    return this.admin.resetPassword(user, resolveTenantScope(user, tenantId), id);
  }

  @Post(':id/unlock')
  @Access({ roles: ['admin'], impersonation: 'refused' })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'user.unlocked', resource: 'user' })
  @ApiOperation({
    summary: 'Clear a sign-in lockout',
    description: 'Only for accounts the school manages; their owners lift it with a reset mail.',
  })
  @ApiQuery(TENANT_QUERY)
  @ApiNoContentResponse()
  @ApiErrors(
    'USER_NOT_FOUND',
    'COMMON_FORBIDDEN',
    'AUTH_FORBIDDEN',
    'USER_ACCOUNT_SELF_MANAGED',
    'USER_ACCOUNT_MANAGED_ELSEWHERE',
    'COMMON_CONFLICT',
  )
  async unlock(
    @CurrentUser() user: UserPrincipal,
    @Param('id', UuidPipe) id: string,
    @Query('tenant_id', TenantIdPipe) tenantId?: string,
  ): Promise<void> {
    await this.admin.unlock(user, resolveTenantScope(user, tenantId), id);
  }
}
