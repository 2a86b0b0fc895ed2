export class StatsSummaryDto {
  /** Members of the tenant (active and suspended) @example 1250 */
  total_users!: number;
  /** Members with usage in the period @example 890 */
  active_users!: number;
  /** Memberships that began in the period @example 45 */
  new_users_this_period!: number;
  /** AI sessions (conversations) started in the period @example 15680 */
  total_sessions!: number;
  /** AI calls (usage events) in the period @example 89450 */
  total_messages!: number;
  /** Input plus output tokens @example 12500000 */
  total_tokens!: number;
  /** USD, rounded to cents @example 125.5 */
  estimated_cost_usd!: number;
}

export class DailyTrendDto {
  /** UTC day @example 2026-01-29 */
  date!: string;
  /** Distinct members with usage that day @example 120 */
  users!: number;
  /** @example 3200 */
  messages!: number;
  /** @example 450000 */
  tokens!: number;
}

export class StatsTrendsDto {
  /** Every day of the period, newest first, zero-filled */
  daily!: DailyTrendDto[];
}

export class StatsHealthDto {
  /** @example healthy */
  status!: 'healthy';
  /** @example 2026-01-30T10:00:00.000Z */
  last_check!: string;
  /** A database round trip @example 2 */
  response_time_ms!: number;
}

/** `GET /mt/tenant/{id}/stats`: a tenant's usage over a period, in the Service Market's shape. */
export class TenantStatsDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** 7d, 30d, 90d, or from/to as `2026-01-01/2026-01-31` @example 30d */
  period!: string;
  summary!: StatsSummaryDto;
  trends!: StatsTrendsDto;
  health!: StatsHealthDto;
}
