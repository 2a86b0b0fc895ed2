import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audited } from '../../common/audit/audited.decorator.js';
import { CurrentPrincipal } from '../../common/auth/current-principal.decorator.js';
import { Access } from '../../common/auth/access.decorator.js';
import type { Principal } from '../../common/auth/principal.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import { StatsQueryDto } from '../usage/dto/stats-query.dto.js';
import { TenantStatsDto } from '../usage/dto/usage-stats.dto.js';
import { UsageStatsService } from '../usage/usage-stats.service.js';
import { AutoProvisionDto } from './dto/auto-provision.dto.js';
import { MarketUserPageDto, MarketUsersQueryDto } from './dto/market-user.dto.js';
import { ResourcePageDto, ResourcePageQueryDto } from './dto/market-resources.dto.js';
import { TenantLifecycleDto } from './dto/tenant-lifecycle.dto.js';
import { MarketResourcesService } from './market-resources.service.js';
import { MarketTenantsService } from './market-tenants.service.js';
import { MarketUsersService } from './market-users.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

/** When these paths became aliases (RFC 9745 `Deprecation` is a date). */
const DEPRECATED_SINCE = `@${Date.UTC(2026, 10, 24) / 1000}`;

/** Answers like the standard route, and says which one that is. */
function aliasOf(reply: FastifyReply, standardPath: string): void {
  void reply
    .header('deprecation', DEPRECATED_SINCE)
    .header('link', `<${standardPath}>; rel="successor-version"`);
}

/** The Service Market's old paths (`/api/tenant/...`), kept as aliases while it moves to `/mt/...`. */
@ApiTags('market (deprecated aliases)')
@Access.market({ legacyHeader: true })
@Controller({ path: 'tenant', version: VERSION_NEUTRAL })
export class MarketCompatController {
  constructor(
    private readonly tenants: MarketTenantsService,
    private readonly members: MarketUsersService,
    private readonly resources: MarketResourcesService,
    private readonly usageStats: UsageStatsService,
  ) {}

  @Post('webhook/auto-provision')
  @HttpCode(200)
  @Audited({ action: 'tenant.activated', resource: 'tenant', idField: 'tenant_id' })
  @ApiOperation({ summary: 'Alias of POST /mt/tenant/{id}/activate', deprecated: true })
  @ApiOkResponse({ type: TenantLifecycleDto })
  async autoProvision(
    @Body() dto: AutoProvisionDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantLifecycleDto> {
    const { tenant_id: tenantId, ...activation } = dto;
    aliasOf(reply, `/mt/tenant/${tenantId}/activate`);
    const state = await this.tenants.activate(tenantId, activation);
    if (state.result === 'created') {
      void reply.status(201);
    }
    return state;
  }

  @Get('stats/:tenantId')
  @ApiOperation({ summary: 'Alias of GET /mt/tenant/{id}/stats', deprecated: true })
  @ApiOkResponse({ type: TenantStatsDto })
  @ApiErrors('TENANT_NOT_FOUND')
  stats(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: StatsQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TenantStatsDto> {
    aliasOf(reply, `/mt/tenant/${tenantId}/stats`);
    return this.usageStats.summary(tenantId, query);
  }

  @Get('users/:tenantId')
  @ApiOperation({ summary: 'Alias of GET /mt/tenant/{id}/users', deprecated: true })
  @ApiOkResponse({ type: MarketUserPageDto })
  @ApiErrors('TENANT_NOT_FOUND')
  users(
    @CurrentPrincipal() market: Principal,
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: MarketUsersQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<MarketUserPageDto> {
    aliasOf(reply, `/mt/tenant/${tenantId}/users`);
    return this.members.list(market, tenantId, query);
  }

  @Get('courses/:tenantId')
  @ApiOperation({ summary: 'Alias of GET /mt/tenant/{id}/resources?type=course', deprecated: true })
  @ApiOkResponse({ type: ResourcePageDto })
  @ApiErrors('TENANT_NOT_FOUND')
  courses(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: ResourcePageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResourcePageDto> {
    aliasOf(reply, `/mt/tenant/${tenantId}/resources?type=course`);
    return this.resources.list(tenantId, { ...query, type: 'course' });
  }

  @Get('discussions/:tenantId')
  @ApiOperation({
    summary: 'Alias of GET /mt/tenant/{id}/resources?type=discussion',
    deprecated: true,
  })
  @ApiOkResponse({ type: ResourcePageDto })
  @ApiErrors('TENANT_NOT_FOUND')
  discussions(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: ResourcePageQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ResourcePageDto> {
    aliasOf(reply, `/mt/tenant/${tenantId}/resources?type=discussion`);
    return this.resources.list(tenantId, { ...query, type: 'discussion' });
  }
}
