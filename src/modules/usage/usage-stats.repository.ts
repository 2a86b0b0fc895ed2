import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '../../common/database/sql.js';

/** A range of UTC days as bounds: `day` between fromDay and toDay, timestamps in [from, to). */
export interface DayRange {
  fromDay: string;
  toDay: string;
  from: Date;
  to: Date;
}

export interface DayTotalsRow {
  /** null on the row for the whole period */
  day: string | null;
  users: number;
  messages: string;
  tokens: string;
  cost_usd: string;
}

export interface ModelTotalsRow {
  model: string;
  input_tokens: string;
  output_tokens: string;
  cost_usd: string;
}

export interface DayCostRow {
  day: string;
  cost_usd: string;
}

export interface UserTotalsRow {
  user_id: string;
  messages: string;
  tokens: string;
  cost_usd: string;
}

export interface HourWeekdayRow {
  hour: number;
  weekday: number;
  messages: string;
  tokens: string;
}

export interface UserUsageRow {
  user_id: string;
  messages: string;
  tokens: string;
}

// Costs are summed exactly (numeric) and rounded half up to cents once, per figure.
const PERIOD = `tenant_id = $1 AND day BETWEEN $2::date AND $3::date`;

/** Stats read from the rollups only (never from usage_events). */
@Injectable()
export class UsageStatsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  /**
   * Per day, and one row (day null) for the whole period. Totals come from the per-model rollup
   * (a few rows a day); users from the per-user one, counted again over the whole period since
   * distinct users do not add up across days.
   */
  dayTotals(tenantId: string, range: DayRange): Promise<DayTotalsRow[]> {
    return queryRows<DayTotalsRow>(
      this.dataSource,
      `WITH days AS (
         SELECT day, sum(messages) AS messages, sum(input_tokens + output_tokens) AS tokens,
                round(sum(cost_usd), 2) AS cost_usd
         FROM usage_model_daily WHERE ${PERIOD}
         GROUP BY GROUPING SETS ((day), ())
       ),
       users AS (
         SELECT day, count(*)::int AS users FROM usage_user_days WHERE ${PERIOD} GROUP BY day
       )
       SELECT d.day::text AS day, d.messages, d.tokens, d.cost_usd,
              CASE WHEN d.day IS NULL
                   THEN (SELECT count(*)::int FROM (
                           SELECT DISTINCT user_id FROM usage_user_days WHERE ${PERIOD}) active)
                   ELSE coalesce(u.users, 0) END AS users
       FROM days d LEFT JOIN users u ON u.day = d.day`,
      [tenantId, range.fromDay, range.toDay],
    );
  }

  async sessionsStarted(tenantId: string, range: DayRange): Promise<number> {
    const rows = await queryRows<{ count: string }>(
      this.dataSource,
      `SELECT count(*) AS count FROM usage_sessions
       WHERE tenant_id = $1 AND started_at >= $2 AND started_at < $3`,
      [tenantId, range.from, range.to],
    );
    return Number(rows[0]?.count ?? 0);
  }

  modelTotals(tenantId: string, range: DayRange): Promise<ModelTotalsRow[]> {
    return queryRows<ModelTotalsRow>(
      this.dataSource,
      `SELECT model, sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
              round(sum(cost_usd), 2) AS cost_usd
       FROM usage_model_daily WHERE ${PERIOD}
       GROUP BY model ORDER BY sum(cost_usd) DESC, model`,
      [tenantId, range.fromDay, range.toDay],
    );
  }

  /** The period's total (day null) and each day's cost. */
  dayCosts(
    tenantId: string,
    range: DayRange,
  ): Promise<Array<DayCostRow | { day: null; cost_usd: string }>> {
    return queryRows(
      this.dataSource,
      `SELECT day::text AS day, round(sum(cost_usd), 2) AS cost_usd
       FROM usage_model_daily WHERE ${PERIOD}
       GROUP BY GROUPING SETS ((day), ())`,
      [tenantId, range.fromDay, range.toDay],
    );
  }

  /** The heaviest users of the period by `order` (cost or tokens). */
  topUsers(
    tenantId: string,
    range: DayRange,
    order: 'cost' | 'tokens',
    limit: number,
  ): Promise<UserTotalsRow[]> {
    const sort = order === 'cost' ? 'raw_cost DESC, tokens DESC' : 'tokens DESC, raw_cost DESC';
    return queryRows<UserTotalsRow>(
      this.dataSource,
      `SELECT user_id, messages, tokens, round(raw_cost, 2) AS cost_usd
       FROM (
         SELECT user_id, sum(messages) AS messages, sum(tokens) AS tokens,
                sum(cost_usd) AS raw_cost
         FROM usage_user_days WHERE ${PERIOD}
         GROUP BY user_id ORDER BY ${sort}, user_id LIMIT $4
       ) t
       ORDER BY ${sort}, user_id`,
      [tenantId, range.fromDay, range.toDay, limit],
    );
  }

  /** Sessions started in the period per user, for these users. */
  async sessionsByUser(
    tenantId: string,
    userIds: string[],
    range?: DayRange,
  ): Promise<Map<string, number>> {
    const rows = await queryRows<{ user_id: string; count: string }>(
      this.dataSource,
      `SELECT user_id, count(*) AS count FROM usage_sessions
       WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])
         AND ($3::timestamptz IS NULL OR (started_at >= $3 AND started_at < $4))
       GROUP BY user_id`,
      [tenantId, userIds, range?.from ?? null, range?.to ?? null],
    );
    return new Map(rows.map((row) => [row.user_id, Number(row.count)]));
  }

  hourWeekdayTotals(tenantId: string, range: DayRange): Promise<HourWeekdayRow[]> {
    return queryRows<HourWeekdayRow>(
      this.dataSource,
      `SELECT extract(hour FROM hour AT TIME ZONE 'UTC')::int AS hour,
              extract(dow FROM hour AT TIME ZONE 'UTC')::int AS weekday,
              sum(messages) AS messages, sum(tokens) AS tokens
       FROM usage_hourly WHERE tenant_id = $1 AND hour >= $2 AND hour < $3
       GROUP BY 1, 2`,
      [tenantId, range.from, range.to],
    );
  }

  /** All-time messages and tokens of these users in the tenant. */
  usageOfUsers(tenantId: string, userIds: string[]): Promise<UserUsageRow[]> {
    return queryRows<UserUsageRow>(
      this.dataSource,
      `SELECT user_id, sum(messages) AS messages, sum(tokens) AS tokens
       FROM usage_user_days WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])
       GROUP BY user_id`,
      [tenantId, userIds],
    );
  }

  /**
   * Tokens of UTC hours in [from, to), from the hourly rollup (at most 744 rows a month); in the
   * caller's transaction when given one (ingestion checks limits against its own batch).
   */
  async tokensBetween(
    tenantId: string,
    from: Date,
    to: Date,
    manager?: EntityManager,
  ): Promise<number> {
    const rows = await queryRows<{ tokens: string | null }>(
      manager ?? this.dataSource,
      `SELECT sum(tokens) AS tokens FROM usage_hourly
       WHERE tenant_id = $1 AND hour >= $2 AND hour < $3`,
      [tenantId, from, to],
    );
    return Number(rows[0]?.tokens ?? 0);
  }
}
