import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import { OptionalAuth } from '../../common/auth/optional-auth.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Public } from '../../common/auth/public.decorator.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import {
  AcceptedInvitationDto,
  AcceptInvitationDto,
  CreateInvitationDto,
  InvitationDto,
  ListInvitationsQueryDto,
} from './dto/invitation.dto.js';
import { InvitationsService } from './invitations.service.js';

@ApiTags('invitations')
@Controller('invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post()
  @Roles('admin')
  @ApiBearerAuth('bearer')
  @Audited({ action: 'invitation.created', resource: 'invitation' })
  @ApiOperation({
    summary: 'Invite someone to your tenant with a role (mail with a link, 1–14 days)',
    description:
      'School admins invite into the school they are signed in to. Super admins invite into any school: name it in `tenant_id` (default: the one they are signed in to); an unknown one is 400 naming `tenant_id`.',
  })
  @ApiCreatedResponse({ type: InvitationDto })
  create(
    @CurrentUser() admin: UserPrincipal,
    @Body() dto: CreateInvitationDto,
  ): Promise<InvitationDto> {
    return this.invitations.create(admin, dto);
  }

  @Get()
  @Roles('admin')
  @ApiBearerAuth('bearer')
  @ApiOperation({
    summary: "Your tenant's invitations, newest first (super admins: any school's, `tenant_id`)",
  })
  @ApiOkResponse({ type: [InvitationDto] })
  list(
    @CurrentUser() admin: UserPrincipal,
    @Query() query: ListInvitationsQueryDto,
  ): Promise<InvitationDto[]> {
    return this.invitations.list(admin, query.tenant_id);
  }

  @Delete(':id')
  @Roles('admin')
  @ApiBearerAuth('bearer')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'invitation.revoked', resource: 'invitation' })
  @ApiOperation({ summary: 'Revoke a pending invitation' })
  @ApiNoContentResponse()
  async revoke(
    @CurrentUser() admin: UserPrincipal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    await this.invitations.revoke(admin, id);
  }

  @Post('accept')
  @Public()
  @OptionalAuth()
  @Audited({ action: 'invitation.accepted', resource: 'invitation' })
  @ApiOperation({
    summary: 'Accept an invitation (single use, bound to the invited email)',
    description:
      'Signed in (bearer token): the membership is added to your account. Not signed in: a new account is made from password and full_name; if the email already has an account, sign in first.',
  })
  @ApiCreatedResponse({ type: AcceptedInvitationDto })
  accept(
    @Body() dto: AcceptInvitationDto,
    @Req() request: FastifyRequest,
  ): Promise<AcceptedInvitationDto> {
    const caller = request.principal?.kind === 'user' ? request.principal : undefined;
    return this.invitations.accept(dto, caller);
  }
}
