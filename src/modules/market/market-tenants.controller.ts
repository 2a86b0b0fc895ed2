import { Body, Controller, Get, HttpCode, Param, Post, Res, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audited } from '../../common/audit/audited.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import {
  ActivateTenantDto,
  DeactivateTenantDto,
  TenantLifecycleDto,
} from './dto/tenant-lifecycle.dto.js';
import { TenantStatusDto } from './dto/tenant-status.dto.js';
import { MarketTenantsService } from './market-tenants.service.js';
import { MarketUsageService } from './market-usage.service.js';
import { TenantLimitsDto, TenantUsageDto } from './dto/tenant-usage.dto.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

@ApiTags('market')
@Access.market()
@Controller({ path: 'mt/tenant/:tenantId', version: VERSION_NEUTRAL })
export class MarketTenantsController {
  constructor(
    private readonly tenants: MarketTenantsService,
    private readonly consumption: MarketUsageService,
  ) {}

  @Post('activate')
  @HttpCode(200)
  @Audited({ action: 'tenant.activated', resource: 'tenant', idParam: 'tenantId' })
  @ApiOperation({
    summary: 'Create or reactivate a tenant (idempotent: repeating it returns the current state)',
    description:
      '201 when the tenant is created, 200 otherwise (`result`: reactivated or unchanged). A given `admin_email` is invited as the first admin when the tenant (re)starts.',
  })
  @ApiCreatedResponse({ type: TenantLifecycleDto, description: 'Created' })
  @ApiOkResponse({ type: TenantLifecycleDto, description: 'Reactivated, or already active' })
  @ApiErrors('TENANT_MAX_USERS_BELOW_MEMBERS')
  async activate(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Body() dto: ActivateTenantDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantLifecycleDto> {
    const state = await this.tenants.activate(tenantId, dto);
    if (state.result === 'created') {
      void reply.status(201);
    }
    return state;
  }

  @Post('deactivate')
  @HttpCode(200)
  @Audited({ action: 'tenant.deactivated', resource: 'tenant', idParam: 'tenantId' })
  @ApiOperation({
    summary: 'Deactivate a tenant: data kept, members signed out and refused, API keys refused',
  })
  @ApiOkResponse({ type: TenantLifecycleDto })
  @ApiErrors('TENANT_NOT_FOUND')
  deactivate(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Body() dto: DeactivateTenantDto,
  ): Promise<TenantLifecycleDto> {
    return this.tenants.deactivate(tenantId, dto);
  }

  @Get('usage')
  @ApiOperation({ summary: 'Members now, tokens today and this month, against the limits' })
  @ApiOkResponse({ type: TenantUsageDto })
  @ApiErrors('TENANT_NOT_FOUND')
  usage(@Param('tenantId', TenantPathPipe) tenantId: string): Promise<TenantUsageDto> {
    return this.consumption.usageOf(tenantId);
  }

  @Get('limits')
  @ApiOperation({ summary: "The plan's limits, what is used of them, and which are reached" })
  @ApiOkResponse({ type: TenantLimitsDto })
  @ApiErrors('TENANT_NOT_FOUND')
  limits(@Param('tenantId', TenantPathPipe) tenantId: string): Promise<TenantLimitsDto> {
    return this.consumption.limitsOf(tenantId);
  }

  @Get('status')
  @ApiOperation({ summary: "The tenant's lifecycle state" })
  @ApiOkResponse({ type: TenantStatusDto })
  @ApiErrors('TENANT_NOT_FOUND')
  status(@Param('tenantId', TenantPathPipe) tenantId: string): Promise<TenantStatusDto> {
    return this.tenants.status(tenantId);
  }
}
