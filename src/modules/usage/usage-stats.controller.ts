import { Controller, Get, Param, Query, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { TenantPathPipe } from '../../common/validation/tenant-id.pipe.js';
import { StatsQueryDto, TopUsersQueryDto } from './dto/stats-query.dto.js';
import { TopUsersDto } from './dto/top-users.dto.js';
import { TenantCostsDto } from './dto/usage-costs.dto.js';
import { UsagePatternsDto } from './dto/usage-patterns.dto.js';
import { TenantStatsDto } from './dto/usage-stats.dto.js';
import { UsageStatsService } from './usage-stats.service.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

const PERIOD_NOTE =
  'period=7d|30d|90d (default 30d: the last 30 UTC days up to today) or from=YYYY-MM-DD&to=YYYY-MM-DD (at most 366 days); anything else is a 400.';

@ApiTags('market')
@ApiErrors('TENANT_NOT_FOUND')
@Access.market()
@Controller({ path: 'mt/tenant/:tenantId/stats', version: VERSION_NEUTRAL })
export class UsageStatsController {
  constructor(private readonly stats: UsageStatsService) {}

  @Get()
  @ApiOperation({
    summary: 'Dashboard summary: users, sessions, messages, tokens, cost; daily trend; health',
    description: PERIOD_NOTE,
  })
  @ApiOkResponse({ type: TenantStatsDto })
  summary(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: StatsQueryDto,
  ): Promise<TenantStatsDto> {
    return this.stats.summary(tenantId, query);
  }

  @Get('costs')
  @ApiOperation({
    summary: 'Cost analysis: by model, the ten costliest members, daily cost',
    description: `${PERIOD_NOTE} Costs in USD, rounded to cents.`,
  })
  @ApiOkResponse({ type: TenantCostsDto })
  costs(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: StatsQueryDto,
  ): Promise<TenantCostsDto> {
    return this.stats.costs(tenantId, query);
  }

  @Get('usage-patterns')
  @ApiOperation({
    summary: 'Activity by hour of day and weekday (UTC), with the peaks',
    description: PERIOD_NOTE,
  })
  @ApiOkResponse({ type: UsagePatternsDto })
  patterns(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: StatsQueryDto,
  ): Promise<UsagePatternsDto> {
    return this.stats.patterns(tenantId, query);
  }

  @Get('top-users')
  @ApiOperation({
    summary: 'The members with the most tokens in the period (limit 1–100, default 10)',
    description: PERIOD_NOTE,
  })
  @ApiOkResponse({ type: TopUsersDto })
  topUsers(
    @Param('tenantId', TenantPathPipe) tenantId: string,
    @Query() query: TopUsersQueryDto,
  ): Promise<TopUsersDto> {
    return this.stats.topUsers(tenantId, query);
  }
}
