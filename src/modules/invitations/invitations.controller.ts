import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { resolveTenantScope } from '../../common/auth/tenant-access.js';
import {
  AcceptedInvitationDto,
  AcceptInvitationDto,
  CreateInvitationDto,
  InvitationDto,
  ListInvitationsQueryDto,
} from './dto/invitation.dto.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../common/validation/uuid.pipe.js';
import { InvitationsService, invitingTenant } from './invitations.service.js';

@ApiTags('invitations')
@Controller('invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post()
  @Access({ roles: ['admin'] })
  @Audited({ action: 'invitation.created', resource: 'invitation' })
  @ApiOperation({
    summary: 'Invite someone to your tenant with a role (mail with a link, 1–14 days)',
    description:
      'School admins invite into the school they are signed in to. Super admins invite into any school: name it in `tenant_id` (default: the one they are signed in to); an unknown one is 400 naming `tenant_id`.',
  })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiErrors('AUTH_FORBIDDEN', 'COMMON_FORBIDDEN', 'USER_ALREADY_MEMBER')
  create(
    @CurrentUser() admin: UserPrincipal,
    @Body() dto: CreateInvitationDto,
  ): Promise<InvitationDto> {
    return this.invitations.create(admin, invitingTenant(admin, dto.tenant_id), dto);
  }

  @Get()
  @Access({ roles: ['admin'] })
  @ApiOperation({
    summary: "Your tenant's invitations, newest first (super admins: any school's, `tenant_id`)",
  })
  @ApiOkResponse({ type: [InvitationDto] })
  @ApiErrors('AUTH_FORBIDDEN', 'COMMON_FORBIDDEN')
  list(
    @CurrentUser() admin: UserPrincipal,
    @Query() query: ListInvitationsQueryDto,
  ): Promise<InvitationDto[]> {
    return this.invitations.list(admin, invitingTenant(admin, query.tenant_id));
  }

  @Delete(':id')
  @Access({ roles: ['admin'] })
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'invitation.revoked', resource: 'invitation' })
  @ApiOperation({ summary: 'Revoke a pending invitation' })
  @ApiNoContentResponse()
  @ApiErrors('INVITATION_NOT_FOUND', 'AUTH_FORBIDDEN')
  async revoke(
    @CurrentUser() admin: UserPrincipal,
    @Param('id', UuidPipe) id: string,
  ): Promise<void> {
    // Super admins revoke any school's invitation.
    await this.invitations.revoke(admin, resolveTenantScope(admin, undefined), id);
  }

  @Post('accept')
  @Access.public({ optionalAuth: true })
  @Audited({ action: 'invitation.accepted', resource: 'invitation', idField: 'invitation_id' })
  @ApiOperation({
    summary: 'Accept an invitation (single use, bound to the invited email)',
    description:
      'Signed in (bearer token): the membership is added to your account. Not signed in: a new account is made from password and full_name; if the email already has an account, sign in first.',
  })
  @ApiCreatedResponse({ type: AcceptedInvitationDto })
  @ApiErrors(
    'INVITATION_INVALID',
    'INVITATION_EMAIL_MISMATCH',
    'INVITATION_SIGN_IN_REQUIRED',
    // The account was made by another request meanwhile.
    'USER_EMAIL_ALREADY_EXISTS',
  )
  accept(
    @Body() dto: AcceptInvitationDto,
    @Req() request: FastifyRequest,
  ): Promise<AcceptedInvitationDto> {
    const caller = request.principal?.kind === 'user' ? request.principal : undefined;
    return this.invitations.accept(dto, caller);
  }
}
