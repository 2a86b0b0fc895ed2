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
  Put,
  Query,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Audited } from '../../../common/audit/audited.decorator.js';
import { Access } from '../../../common/auth/access.decorator.js';
import { CurrentUser } from '../../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { resolveTenantScope } from '../../../common/auth/tenant-access.js';
import { TenantInScope } from '../../../common/auth/tenant-in-scope.decorator.js';
import { ApiErrors } from '../../../common/errors/api-errors.decorator.js';
import { UuidPipe } from '../../../common/validation/uuid.pipe.js';
import {
  ListDeploymentsQueryDto,
  ListPlatformsQueryDto,
  RecentLaunchesQueryDto,
} from './dto/platform-query.dto.js';
import {
  CreatePlatformDto,
  CreateRegistrationLinkDto,
  DecideDeploymentDto,
  UpdatePlatformDto,
} from './dto/platform-request.dto.js';
import {
  DeploymentDto,
  PlatformDto,
  PlatformPageDto,
  RecentLaunchesDto,
  RegistrationLinkDto,
} from './dto/platform.dto.js';
import {
  PlatformToolConfigurationDto,
  ToolConfigurationDto,
} from './dto/tool-configuration.dto.js';
import { LtiPlatformsService } from './lti-platforms.service.js';
import { ToolConfiguration } from './tool-configuration.service.js';

const DEPLOYMENT_ID = 'deploymentId';

/** A school's LMS registrations: its admins manage its own, super admins any school's. */
@ApiTags('lti')
@Access({ roles: ['admin'] })
@Controller('lti')
export class LtiPlatformsController {
  constructor(private readonly platforms: LtiPlatformsService) {}

  @Post('platforms')
  @Audited({ action: 'lti.platform_created', resource: 'lti_platform' })
  @ApiOperation({
    summary: 'Register an LMS (issuer, client_id, its URLs, trusted deployments)',
    description:
      'One (issuer, client_id) belongs to one school; one issuer may have several client_ids (Canvas cloud). Launches from deployments not listed wait as pending until approved.',
  })
  @ApiCreatedResponse({ type: PlatformDto })
  @ApiErrors('LTI_PLATFORM_EXISTS', 'COMMON_FORBIDDEN')
  create(@CurrentUser() user: UserPrincipal, @Body() dto: CreatePlatformDto): Promise<PlatformDto> {
    return this.platforms.create(user, resolveTenantScope(user, dto.tenant_id ?? undefined), dto);
  }

  @Get('platforms')
  @ApiOperation({ summary: "Your school's LMS registrations (super admins: any school's)" })
  @ApiOkResponse({ type: PlatformPageDto })
  @ApiErrors('COMMON_FORBIDDEN')
  list(
    @CurrentUser() user: UserPrincipal,
    @Query() query: ListPlatformsQueryDto,
  ): Promise<PlatformPageDto> {
    return this.platforms.list(user, resolveTenantScope(user, query.tenant_id), query);
  }

  @Get('platforms/:id')
  @ApiOperation({ summary: 'One registration with its deployments' })
  @ApiOkResponse({ type: PlatformDto })
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'COMMON_FORBIDDEN')
  get(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<PlatformDto> {
    return this.platforms.get(user, tenantId, id);
  }

  @Patch('platforms/:id')
  @Audited({ action: 'lti.platform_updated', resource: 'lti_platform' })
  @ApiOperation({ summary: 'Change its URLs, name or product; turn launches off or on again' })
  @ApiOkResponse({ type: PlatformDto })
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'LTI_PLATFORM_NOT_AWAITING_APPROVAL', 'COMMON_FORBIDDEN')
  update(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Body() dto: UpdatePlatformDto,
  ): Promise<PlatformDto> {
    return this.platforms.update(user, tenantId, id, dto);
  }

  @Post('platforms/:id/approve')
  @HttpCode(HttpStatus.OK)
  @Audited({ action: 'lti.platform_approved', resource: 'lti_platform' })
  @ApiOperation({ summary: 'Trust a registration made by Dynamic Registration' })
  @ApiOkResponse({ type: PlatformDto })
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'LTI_PLATFORM_NOT_AWAITING_APPROVAL', 'COMMON_FORBIDDEN')
  approve(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<PlatformDto> {
    return this.platforms.approve(user, tenantId, id);
  }

  @Delete('platforms/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'lti.platform_deleted', resource: 'lti_platform' })
  @ApiOperation({ summary: 'Remove a registration (its launches stop; classes stay)' })
  @ApiNoContentResponse()
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'COMMON_FORBIDDEN')
  delete(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<void> {
    return this.platforms.delete(user, tenantId, id);
  }

  @Get('platforms/:id/deployments')
  @ApiOperation({ summary: 'Its deployments; `?status=pending` lists those waiting for approval' })
  @ApiOkResponse({ type: [DeploymentDto] })
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'COMMON_FORBIDDEN')
  deployments(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Query() query: ListDeploymentsQueryDto,
  ): Promise<DeploymentDto[]> {
    return this.platforms.deployments(user, tenantId, id, query);
  }

  @Put(`platforms/:id/deployments/:${DEPLOYMENT_ID}`)
  @Audited({ action: 'lti.deployment_decided', resource: 'lti_platform' })
  @ApiOperation({
    summary: 'Approve or refuse a deployment (a pending one, or one added directly)',
  })
  @ApiOkResponse({ type: DeploymentDto })
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'COMMON_FORBIDDEN')
  decide(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Param(DEPLOYMENT_ID) deploymentId: string,
    @Body() dto: DecideDeploymentDto,
  ): Promise<DeploymentDto> {
    return this.platforms.decideDeployment(user, tenantId, id, deploymentId, dto.status);
  }

  @Delete(`platforms/:id/deployments/:${DEPLOYMENT_ID}`)
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited({ action: 'lti.deployment_removed', resource: 'lti_platform' })
  @ApiOperation({ summary: 'Forget a deployment (its next launch waits as pending again)' })
  @ApiNoContentResponse()
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'LTI_DEPLOYMENT_NOT_FOUND', 'COMMON_FORBIDDEN')
  deleteDeployment(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Param(DEPLOYMENT_ID) deploymentId: string,
  ): Promise<void> {
    return this.platforms.deleteDeployment(user, tenantId, id, deploymentId);
  }

  @Get('platforms/:id/launches')
  @ApiOperation({
    summary: 'Recent launches from this LMS, accepted and refused (with the failed check)',
    description:
      'For "the LMS says the tool failed": who, when, which course, and the error code of each refusal.',
  })
  @ApiOkResponse({ type: RecentLaunchesDto })
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'COMMON_FORBIDDEN')
  launches(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
    @Query() query: RecentLaunchesQueryDto,
  ): Promise<RecentLaunchesDto> {
    return this.platforms.recentLaunches(user, tenantId, id, query.limit ?? 50);
  }

  @Get('platforms/:id/config')
  @ApiOperation({
    summary:
      'What to paste into this LMS (URLs, JWKS, Canvas JSON), with its client and deployments',
  })
  @ApiOkResponse({ type: PlatformToolConfigurationDto })
  @ApiErrors('LTI_PLATFORM_NOT_FOUND', 'COMMON_FORBIDDEN')
  configuration(
    @CurrentUser() user: UserPrincipal,
    @TenantInScope() tenantId: string | undefined,
    @Param('id', UuidPipe) id: string,
  ): Promise<PlatformToolConfigurationDto> {
    return this.platforms.configuration(user, tenantId, id);
  }

  @Post('registration-links')
  @Audited({ action: 'lti.registration_link_created', resource: 'lti_registration_link' })
  @ApiOperation({
    summary: 'A one-use Dynamic Registration link for your school (24 h)',
    description:
      "Paste the URL into the LMS's Dynamic Registration (Moodle 4, Canvas). The registration it makes awaits your approval (`POST /lti/platforms/{id}/approve`).",
  })
  @ApiCreatedResponse({ type: RegistrationLinkDto })
  @ApiErrors('COMMON_FORBIDDEN')
  registrationLink(
    @CurrentUser() user: UserPrincipal,
    @Body() dto: CreateRegistrationLinkDto,
  ): Promise<RegistrationLinkDto> {
    return this.platforms.registrationLink(
      user,
      resolveTenantScope(user, dto.tenant_id ?? undefined),
    );
  }
}

/** The tool's side of a manual registration, the same for every school. */
@ApiTags('lti')
@Controller({ path: 'lti', version: VERSION_NEUTRAL })
export class LtiToolConfigurationController {
  constructor(private readonly toolConfiguration: ToolConfiguration) {}

  @Access.public()
  @Get('config')
  @ApiOperation({
    summary:
      "The tool's configuration for an LMS admin: login, redirect and JWKS URLs, Canvas JSON",
  })
  @ApiOkResponse({ type: ToolConfigurationDto })
  configuration(): ToolConfigurationDto {
    return this.toolConfiguration.generic();
  }
}
