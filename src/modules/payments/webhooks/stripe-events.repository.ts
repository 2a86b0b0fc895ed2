import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';

export interface ReceivedEvent {
  id: string;
  type: string;
  created: number;
  livemode: boolean;
  payload: string;
  source: 'webhook' | 'reconciliation';
}

export interface StoredEventRow {
  id: string;
  type: string;
  stripe_created_at: Date;
  livemode: boolean;
  payload: { data?: { object?: Record<string, unknown> } };
  source: string;
  received_at: Date;
  processed_at: Date | null;
  attempts: number;
  last_error: string | null;
  failed_at: Date | null;
}

export type EventListStatus = 'pending' | 'failed' | 'processed';

const SUMMARY_COLUMNS = `id, type, stripe_created_at, livemode, source, received_at, processed_at,
  attempts, last_error, failed_at`;

/** `stripe_events`: the webhook's inbox. Stored first, processed from the queue. */
@Injectable()
export class StripeEventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when the event is new (a redelivery stores nothing). */
  async store(event: ReceivedEvent): Promise<boolean> {
    return (await this.storeMany([event])).has(event.id);
  }

  /**
   * Stores these events in one statement (one commit); returns the ids that were new. An id
   * already stored, or twice in the list, is stored once.
   */
  async storeMany(events: ReceivedEvent[]): Promise<Set<string>> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `INSERT INTO stripe_events (id, type, stripe_created_at, livemode, payload, source)
       SELECT e.id, e.type, to_timestamp(e.created), e.livemode, e.payload::jsonb, e.source
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[], $5::text[], $6::text[])
         AS e(id, type, created, livemode, payload, source)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        events.map((event) => event.id),
        events.map((event) => event.type),
        events.map((event) => event.created),
        events.map((event) => event.livemode),
        events.map((event) => event.payload),
        events.map((event) => event.source),
      ],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Of these events, those not processed yet, in the order Stripe created them. */
  findUnprocessed(ids: string[]): Promise<StoredEventRow[]> {
    return queryRows<StoredEventRow>(
      this.dataSource,
      `SELECT ${SUMMARY_COLUMNS}, payload FROM stripe_events
       WHERE id = ANY($1::text[]) AND processed_at IS NULL
       ORDER BY stripe_created_at, received_at`,
      [ids],
    );
  }

  find(id: string): Promise<StoredEventRow | undefined> {
    return queryOne<StoredEventRow>(
      this.dataSource,
      `SELECT ${SUMMARY_COLUMNS}, payload FROM stripe_events WHERE id = $1`,
      [id],
    );
  }

  /**
   * Marks the event processed in `manager`'s transaction, unless it already was: false then.
   * Taken before the work, so a concurrent copy of the job finds it taken once it may look.
   */
  async claimForProcessing(manager: EntityManager, id: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `UPDATE stripe_events SET processed_at = now(), attempts = attempts + 1, last_error = NULL,
         failed_at = NULL
       WHERE id = $1 AND processed_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async markProcessed(manager: EntityManager | undefined, id: string): Promise<void> {
    await (manager ?? this.dataSource).query(
      `UPDATE stripe_events SET processed_at = now(), attempts = attempts + 1, last_error = NULL,
         failed_at = NULL
       WHERE id = $1 AND processed_at IS NULL`,
      [id],
    );
  }

  async recordFailure(id: string, message: string, final: boolean): Promise<void> {
    await this.dataSource.query(
      `UPDATE stripe_events SET attempts = attempts + 1, last_error = $2,
         failed_at = CASE WHEN $3 THEN now() ELSE failed_at END
       WHERE id = $1 AND processed_at IS NULL`,
      [id, message.slice(0, 2000), final],
    );
  }

  /**
   * An admin's retry of an event the queue gave up on: queued again in a new round, so its new
   * job never collides with the failed one the queue keeps.
   */
  async clearFailure(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE stripe_events SET failed_at = NULL, enqueued_at = NULL,
         enqueue_round = enqueue_round + 1
       WHERE id = $1 AND processed_at IS NULL`,
      [id],
    );
  }

  /** Stored events without a job yet, locked for this transaction (several instances relay). */
  claimUnenqueued(
    manager: EntityManager,
    limit: number,
  ): Promise<Array<{ id: string; enqueue_round: number }>> {
    return queryRows<{ id: string; enqueue_round: number }>(
      manager,
      `SELECT id, enqueue_round FROM stripe_events
       WHERE enqueued_at IS NULL AND processed_at IS NULL AND failed_at IS NULL
       ORDER BY received_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async markEnqueued(manager: EntityManager, ids: string[]): Promise<void> {
    await manager.query(`UPDATE stripe_events SET enqueued_at = now() WHERE id = ANY($1::text[])`, [
      ids,
    ]);
  }

  /** Enqueued long ago and still not processed nor failed: its job was lost (a flushed queue). */
  async requeueStale(olderThanSeconds: number): Promise<number> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE stripe_events SET enqueued_at = NULL, enqueue_round = enqueue_round + 1
       WHERE processed_at IS NULL AND failed_at IS NULL
         AND enqueued_at < now() - make_interval(secs => $1)
       RETURNING id`,
      [olderThanSeconds],
    );
    return rows.length;
  }

  list(status: EventListStatus, limit: number): Promise<StoredEventRow[]> {
    const where = {
      pending: 'processed_at IS NULL AND failed_at IS NULL',
      failed: 'failed_at IS NOT NULL AND processed_at IS NULL',
      processed: 'processed_at IS NOT NULL',
    }[status];
    return queryRows<StoredEventRow>(
      this.dataSource,
      `SELECT ${SUMMARY_COLUMNS} FROM stripe_events WHERE ${where}
       ORDER BY received_at DESC LIMIT $1`,
      [limit],
    );
  }

  /** Seconds since the oldest unprocessed event was received (0 when there is none). */
  async oldestUnprocessedAgeSeconds(): Promise<number> {
    const row = await queryOne<{ age: number | null }>(
      this.dataSource,
      `SELECT EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS age
       FROM stripe_events WHERE processed_at IS NULL`,
    );
    return row?.age ?? 0;
  }
}
