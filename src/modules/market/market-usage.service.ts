import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import { LicensesRepository } from '../licenses/licenses.repository.js';
import { readTenantConfig } from '../tenants/tenant-settings.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { UsageStatsService } from '../usage/usage-stats.service.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import type { TenantLimitsDto, TenantUsageDto } from './dto/tenant-usage.dto.js';

/** A tenant's consumption against its plan's limits. */
@Injectable()
export class MarketUsageService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly usage: UsageStatsService,
    private readonly licenses: LicensesRepository,
    private readonly clock: Clock,
  ) {}

  async usageOf(tenantId: string): Promise<TenantUsageDto> {
    const tenant = await this.tenants.require(tenantId);
    const now = this.clock.now();
    const config = readTenantConfig(tenant.settings);
    const [members, tokens, seats] = await Promise.all([
      this.memberships.countForTenant(tenantId),
      this.usage.tokensUsed(tenantId, now),
      this.licenses.summaryForTenant(tenantId, now),
    ]);
    return {
      tenant_id: tenantId,
      users: { current: members, max: config.max_users },
      tokens: {
        today: tokens.today,
        daily_limit: config.limits.daily_tokens,
        this_month: tokens.this_month,
        monthly_limit: config.limits.monthly_tokens,
      },
      licenses: {
        total_seats: seats.total_seats,
        used_seats: seats.used_seats,
        available_seats: Math.max(0, seats.total_seats - seats.used_seats),
        next_expiry: seats.next_expiry ? new Date(seats.next_expiry).toISOString() : null,
      },
      as_of: now.toISOString(),
    };
  }

  async limitsOf(tenantId: string): Promise<TenantLimitsDto> {
    const tenant = await this.tenants.require(tenantId);
    const config = readTenantConfig(tenant.settings);
    const { users, tokens, licenses } = await this.usageOf(tenantId);
    const reached: TenantLimitsDto['reached'] = [];
    if (users.max !== null && users.current >= users.max) {
      reached.push('max_users');
    }
    if (tokens.daily_limit !== null && tokens.today >= tokens.daily_limit) {
      reached.push('daily_tokens');
    }
    if (tokens.monthly_limit !== null && tokens.this_month >= tokens.monthly_limit) {
      reached.push('monthly_tokens');
    }
    if (licenses.total_seats > 0 && licenses.used_seats >= licenses.total_seats) {
      reached.push('seats');
    }
    return {
      tenant_id: tenantId,
      limits: {
        max_users: config.max_users,
        max_storage_mb: config.max_storage_mb,
        daily_tokens: config.limits.daily_tokens,
        monthly_tokens: config.limits.monthly_tokens,
        max_file_size_mb: config.limits.max_file_size_mb,
      },
      usage: {
        users: users.current,
        tokens_today: tokens.today,
        tokens_this_month: tokens.this_month,
      },
      licenses,
      reached,
    };
  }
}
