import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { UsersRepository, type UserSummary } from '../users/users.repository.js';
import type { PeriodQuery } from './usage-period.js';
import {
  addDays,
  daysNewestFirst,
  resolvePeriod,
  utcDayWindow,
  utcMonthWindow,
  type UsagePeriod,
} from './usage-period.js';
import type { TopUsersDto } from './dto/top-users.dto.js';
import type { TenantCostsDto } from './dto/usage-costs.dto.js';
import type { UsagePatternsDto } from './dto/usage-patterns.dto.js';
import type { TenantStatsDto } from './dto/usage-stats.dto.js';
import { UsageStatsRepository, type DayRange } from './usage-stats.repository.js';

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** A member's all-time usage in a tenant (the `usage` of the Service Market's member view). */
export interface MemberUsage {
  sessions: number;
  messages: number;
  tokens: number;
}

const toRange = (period: UsagePeriod): DayRange => ({
  fromDay: period.from,
  toDay: period.to,
  from: new Date(`${period.from}T00:00:00Z`),
  to: new Date(`${addDays(period.to, 1)}T00:00:00Z`),
});

/** The index of the largest value, or null when every value is 0. */
function peakOf(values: number[]): number | null {
  let peak: number | null = null;
  values.forEach((value, index) => {
    if (value > 0 && (peak === null || value > (values[peak] ?? 0))) {
      peak = index;
    }
  });
  return peak;
}

/** The Service Market dashboard's figures, from the usage rollups. */
@Injectable()
export class UsageStatsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly memberships: MembershipsRepository,
    private readonly users: UsersRepository,
    private readonly stats: UsageStatsRepository,
    private readonly clock: Clock,
  ) {}

  async summary(tenantId: string, query: PeriodQuery): Promise<TenantStatsDto> {
    const period = resolvePeriod(query, this.clock.now());
    await this.tenants.require(tenantId);
    const range = toRange(period);
    const [members, joined, sessions, days, health] = await Promise.all([
      this.memberships.countForTenant(tenantId),
      this.memberships.countJoinedBetween(tenantId, range.from, range.to),
      this.stats.sessionsStarted(tenantId, range),
      this.stats.dayTotals(tenantId, range),
      this.health(),
    ]);
    const total = days.find((row) => row.day === null);
    const byDay = new Map(days.map((row) => [row.day, row]));
    return {
      tenant_id: tenantId,
      period: period.label,
      summary: {
        total_users: members,
        active_users: total?.users ?? 0,
        new_users_this_period: joined,
        total_sessions: sessions,
        total_messages: Number(total?.messages ?? 0),
        total_tokens: Number(total?.tokens ?? 0),
        estimated_cost_usd: Number(total?.cost_usd ?? 0),
      },
      trends: {
        daily: daysNewestFirst(period).map((date) => {
          const row = byDay.get(date);
          return {
            date,
            users: row?.users ?? 0,
            messages: Number(row?.messages ?? 0),
            tokens: Number(row?.tokens ?? 0),
          };
        }),
      },
      health,
    };
  }

  async costs(tenantId: string, query: PeriodQuery): Promise<TenantCostsDto> {
    const period = resolvePeriod(query, this.clock.now());
    await this.tenants.require(tenantId);
    const range = toRange(period);
    const [models, days, users] = await Promise.all([
      this.stats.modelTotals(tenantId, range),
      this.stats.dayCosts(tenantId, range),
      this.stats.topUsers(tenantId, range, 'cost', 10),
    ]);
    const names = await this.liveNames(users.map((row) => row.user_id));
    const byDay = new Map(days.map((row) => [row.day, Number(row.cost_usd)]));
    return {
      tenant_id: tenantId,
      period: period.label,
      total_cost_usd: byDay.get(null) ?? 0,
      by_model: models.map((row) => ({
        model: row.model,
        input_tokens: Number(row.input_tokens),
        output_tokens: Number(row.output_tokens),
        cost_usd: Number(row.cost_usd),
      })),
      by_user_top10: users.map((row) => ({
        user_id: row.user_id,
        name: names.get(row.user_id)?.fullName ?? null,
        cost_usd: Number(row.cost_usd),
        tokens: Number(row.tokens),
      })),
      daily_trend: daysNewestFirst(period).map((date) => ({
        date,
        cost_usd: byDay.get(date) ?? 0,
      })),
    };
  }

  async patterns(tenantId: string, query: PeriodQuery): Promise<UsagePatternsDto> {
    const period = resolvePeriod(query, this.clock.now());
    await this.tenants.require(tenantId);
    const rows = await this.stats.hourWeekdayTotals(tenantId, toRange(period));
    const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, messages: 0, tokens: 0 }));
    const byWeekday = WEEKDAYS.map((name, weekday) => ({ weekday, name, messages: 0, tokens: 0 }));
    for (const row of rows) {
      for (const bucket of [byHour[row.hour], byWeekday[row.weekday]]) {
        if (bucket) {
          bucket.messages += Number(row.messages);
          bucket.tokens += Number(row.tokens);
        }
      }
    }
    return {
      tenant_id: tenantId,
      period: period.label,
      by_hour: byHour,
      by_weekday: byWeekday,
      peak_hour: peakOf(byHour.map((bucket) => bucket.messages)),
      peak_weekday: peakOf(byWeekday.map((bucket) => bucket.messages)),
    };
  }

  async topUsers(tenantId: string, query: PeriodQuery & { limit?: number }): Promise<TopUsersDto> {
    const period = resolvePeriod(query, this.clock.now());
    await this.tenants.require(tenantId);
    const range = toRange(period);
    const rows = await this.stats.topUsers(tenantId, range, 'tokens', query.limit ?? 10);
    const ids = rows.map((row) => row.user_id);
    const [sessions, names] = await Promise.all([
      this.stats.sessionsByUser(tenantId, ids, range),
      this.liveNames(ids),
    ]);
    return {
      tenant_id: tenantId,
      period: period.label,
      users: rows.map((row) => ({
        user_id: row.user_id,
        name: names.get(row.user_id)?.fullName ?? null,
        email: names.get(row.user_id)?.email ?? null,
        messages: Number(row.messages),
        tokens: Number(row.tokens),
        cost_usd: Number(row.cost_usd),
        sessions: sessions.get(row.user_id) ?? 0,
      })),
    };
  }

  /** Who these users are; deleted accounts are left out (their usage stays, unnamed). */
  private async liveNames(userIds: string[]): Promise<Map<string, UserSummary>> {
    const people = await this.users.summaries(userIds);
    return new Map(people.filter((person) => !person.deleted).map((person) => [person.id, person]));
  }

  /** All-time usage of these members (zeros for members without any), for user lists. */
  async usageByUser(tenantId: string, userIds: string[]): Promise<Map<string, MemberUsage>> {
    const ids = [...new Set(userIds.map((id) => id.toLowerCase()))];
    const usage = new Map(ids.map((id) => [id, { sessions: 0, messages: 0, tokens: 0 }]));
    if (ids.length === 0) {
      return usage;
    }
    const [rows, sessions] = await Promise.all([
      this.stats.usageOfUsers(tenantId, ids),
      this.stats.sessionsByUser(tenantId, ids),
    ]);
    for (const row of rows) {
      usage.set(row.user_id, {
        sessions: 0,
        messages: Number(row.messages),
        tokens: Number(row.tokens),
      });
    }
    for (const [id, count] of sessions) {
      const entry = usage.get(id);
      if (entry) {
        entry.sessions = count;
      }
    }
    return usage;
  }

  /** Tokens used in the current UTC day and month (what `limits` are measured against). */
  async tokensUsed(tenantId: string, now: Date): Promise<{ today: number; this_month: number }> {
    const day = utcDayWindow(now);
    const month = utcMonthWindow(now);
    const [todayTokens, monthTokens] = await Promise.all([
      this.stats.tokensBetween(tenantId, day.from, day.to),
      this.stats.tokensBetween(tenantId, month.from, month.to),
    ]);
    return { today: todayTokens, this_month: monthTokens };
  }

  private async health(): Promise<TenantStatsDto['health']> {
    const started = performance.now();
    await this.stats.ping();
    return {
      status: 'healthy',
      last_check: this.clock.now().toISOString(),
      response_time_ms: Math.round(performance.now() - started),
    };
  }
}
