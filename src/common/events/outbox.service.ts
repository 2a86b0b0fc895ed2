import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CacheInvalidation, type CachedRecord } from '../cache/cache-invalidation.service.js';
import { Clock } from '../clock/clock.js';
import { queryRows } from '../database/sql.js';
import type { WritePart } from '../database/write-parts.js';
import type { DomainEventType } from './domain-event.js';
import { OutboxRelay } from './outbox-relay.service.js';

export interface NewDomainEvent {
  type: DomainEventType;
  aggregateId: string;
  payload: Record<string, unknown>;
}

const EVENT_VERSION = '1.0.0';

/**
 * What the aggregate of each event is among the cached records: an event says its aggregate
 * changed, so its cached views drop when the change commits (null: the event changes nothing
 * cached). A new event type must choose here.
 */
const CACHED_AGGREGATE: Record<DomainEventType, CachedRecord | null> = {
  'user.created': 'user',
  'user.updated': 'user',
  'user.deleted': 'user',
  'user.logged_in': 'user',
  // The sessions it ended say so themselves (SessionsService).
  'user.logged_out': null,
  'user.password_changed': 'user',
  'tenant.activated': 'tenant',
  'tenant.deactivated': 'tenant',
  'tenant.limit_reached': null,
  // The subscription's sync drops the payer's entitlements itself (SubscriptionSync).
  'subscription.started': null,
  'subscription.changed': null,
  'subscription.trial_ending': null,
  'subscription.payment_failed': null,
  'subscription.canceled': null,
  // Licenses drop their seat holders' cached seats themselves (LicensesService).
  'license.over_allocated': null,
  'license.expiring': null,
};

/**
 * Adds events inside the caller's transaction; they leave only if it commits, and then the
 * cached views of what they changed drop (CacheInvalidation).
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly clock: Clock,
    private readonly relay: OutboxRelay,
    private readonly invalidation: CacheInvalidation,
  ) {}

  async add(manager: EntityManager, ...events: NewDomainEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    const part = this.addAlong(manager, ...events);
    await queryRows(manager, part.sql, part.params);
  }

  /**
   * As `add`, for the caller to send inside one of its own statements in `manager`'s
   * transaction (see WritePart): what happens after the commit is arranged here.
   */
  addAlong(manager: EntityManager, ...events: NewDomainEvent[]): WritePart {
    const occurredAt = this.clock.now().toISOString();
    const rows = events.map((event) => ({
      id: randomUUID(),
      type: event.type,
      version: EVENT_VERSION,
      aggregate_id: event.aggregateId,
      payload: event.payload,
      occurred_at: occurredAt,
    }));
    for (const event of events) {
      const record = CACHED_AGGREGATE[event.type];
      if (record) {
        this.invalidation.changed(manager, record, [event.aggregateId]);
      }
    }
    // Relay soon after the commit instead of waiting for the next poll.
    this.relay.nudgeSoon();
    return {
      sql: `INSERT INTO outbox_events (id, type, version, aggregate_id, payload, occurred_at)
       SELECT id, type, version, aggregate_id, payload, occurred_at
       FROM jsonb_to_recordset($1::jsonb)
         AS e(id uuid, type varchar, version varchar, aggregate_id varchar, payload jsonb, occurred_at timestamptz)`,
      params: [JSON.stringify(rows)],
    };
  }

  /**
   * Adds the event unless one of its type and aggregate was ever written; returns whether it
   * did. The transaction-scoped advisory lock makes a concurrent caller wait for this one's
   * commit, so it then sees the row (READ COMMITTED) and does not write a second event.
   */
  async addOnce(manager: EntityManager, event: NewDomainEvent): Promise<boolean> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `${event.type}:${event.aggregateId}`,
    ]);
    const rows = await queryRows<{ one: number }>(
      manager,
      `SELECT 1 AS one FROM outbox_events WHERE type = $1 AND aggregate_id = $2 LIMIT 1`,
      [event.type, event.aggregateId],
    );
    if (rows.length > 0) {
      return false;
    }
    await this.add(manager, event);
    return true;
  }
}
