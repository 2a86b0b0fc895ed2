import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne } from '../../common/database/sql.js';

/** An event ready to store: validated, its user a member, its cost computed. */
export interface PricedEvent {
  event_id: string;
  user_id: string | null;
  session_id: string | null;
  kind: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
  occurred_at: string;
}

// One statement per batch: the events that were new (ON CONFLICT DO NOTHING ... RETURNING)
// are the only ones added to the rollups, so a resent batch changes nothing. Grouped rows are
// written in key order so concurrent batches of one tenant lock rollup rows in the same order.
const INSERT_BATCH = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(
    event_id varchar, user_id uuid, session_id varchar, kind varchar, model varchar,
    input_tokens integer, output_tokens integer, cost_usd numeric, occurred_at timestamptz)
),
inserted AS (
  INSERT INTO usage_events (tenant_id, event_id, user_id, session_id, kind, model,
                            input_tokens, output_tokens, cost_usd, occurred_at)
  SELECT $1, event_id, user_id, session_id, kind, model, input_tokens, output_tokens, cost_usd,
         occurred_at
  FROM input
  ON CONFLICT (tenant_id, event_id) DO NOTHING
  RETURNING user_id, session_id, model, input_tokens, output_tokens, cost_usd, occurred_at
),
model_daily AS (
  INSERT INTO usage_model_daily AS d (tenant_id, day, model, messages, input_tokens,
                                      output_tokens, cost_usd)
  SELECT $1, (occurred_at AT TIME ZONE 'UTC')::date, model,
         count(*), sum(input_tokens), sum(output_tokens), sum(cost_usd)
  FROM inserted
  GROUP BY 2, 3
  ORDER BY 2, 3
  ON CONFLICT (tenant_id, day, model) DO UPDATE SET
    messages = d.messages + EXCLUDED.messages,
    input_tokens = d.input_tokens + EXCLUDED.input_tokens,
    output_tokens = d.output_tokens + EXCLUDED.output_tokens,
    cost_usd = d.cost_usd + EXCLUDED.cost_usd
),
user_days AS (
  INSERT INTO usage_user_days AS u (tenant_id, day, user_id, messages, tokens, cost_usd)
  SELECT $1, (occurred_at AT TIME ZONE 'UTC')::date, user_id,
         count(*), sum(input_tokens::bigint + output_tokens), sum(cost_usd)
  FROM inserted
  WHERE user_id IS NOT NULL
  GROUP BY 2, 3
  ORDER BY 2, 3
  ON CONFLICT (tenant_id, day, user_id) DO UPDATE SET
    messages = u.messages + EXCLUDED.messages,
    tokens = u.tokens + EXCLUDED.tokens,
    cost_usd = u.cost_usd + EXCLUDED.cost_usd
),
hourly AS (
  INSERT INTO usage_hourly AS h (tenant_id, hour, messages, tokens)
  SELECT $1, date_trunc('hour', occurred_at, 'UTC'), count(*),
         sum(input_tokens::bigint + output_tokens)
  FROM inserted
  GROUP BY 2
  ORDER BY 2
  ON CONFLICT (tenant_id, hour) DO UPDATE SET
    messages = h.messages + EXCLUDED.messages,
    tokens = h.tokens + EXCLUDED.tokens
),
sessions AS (
  INSERT INTO usage_sessions AS s (tenant_id, session_id, user_id, started_at, last_at)
  SELECT $1, session_id, (array_agg(user_id ORDER BY occurred_at) FILTER (WHERE user_id IS NOT NULL))[1],
         min(occurred_at), max(occurred_at)
  FROM inserted
  WHERE session_id IS NOT NULL
  GROUP BY session_id
  ORDER BY session_id
  ON CONFLICT (tenant_id, session_id) DO UPDATE SET
    user_id = coalesce(s.user_id, EXCLUDED.user_id),
    started_at = least(s.started_at, EXCLUDED.started_at),
    last_at = greatest(s.last_at, EXCLUDED.last_at)
)
SELECT count(*)::int AS inserted FROM inserted`;

/** Writes usage events and their rollups; the only writer of the usage tables. */
@Injectable()
export class UsageIngestionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Stores the new events and adds them to the rollups; returns how many were new. */
  async insertBatch(
    manager: EntityManager,
    tenantId: string,
    events: PricedEvent[],
  ): Promise<number> {
    const row = await queryOne<{ inserted: number }>(manager, INSERT_BATCH, [
      tenantId,
      JSON.stringify(events),
    ]);
    return row?.inserted ?? 0;
  }
}
