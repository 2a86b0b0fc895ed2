import { createHash } from 'node:crypto';
import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { queryRows } from '../database/sql.js';
import { EVENTS_QUEUE, type QueueJobs } from '../queue/queue-names.js';
import type { DomainEvent } from './domain-event.js';
import { PollingDrainer } from './polling-drainer.js';

type EventsQueue = Queue<QueueJobs[typeof EVENTS_QUEUE]['publish'], unknown, 'publish'>;

interface PendingRow {
  id: string;
  type: DomainEvent['type'];
  version: string;
  aggregate_id: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
}

const POLL_INTERVAL_MS = 1000;
const NUDGE_DELAY_MS = 20;
const BATCH_SIZE = 100;

/**
 * Moves committed outbox rows to the `events` queue, one job per batch: a job costs about a
 * dozen statements to add, claim and finish, so one per event made each sign-in's event cost
 * more than the sign-in's own writes. Rows are locked with SKIP LOCKED so several instances
 * relay without duplicates. The job id is derived from the batch's event ids, so a relay that
 * dies between enqueue and commit and re-reads the same rows re-sends a job the queue already
 * holds; one that re-reads more rows sends a new batch, and the events of the first are
 * delivered twice, which subscribers take (they are idempotent on the event id).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly drainer = new PollingDrainer({
    batch: () => this.relayBatch(),
    batchSize: BATCH_SIZE,
    pollMs: POLL_INTERVAL_MS,
    nudgeMs: NUDGE_DELAY_MS,
    logger: new Logger(OutboxRelay.name),
    name: 'outbox relay',
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(EVENTS_QUEUE) private readonly queue: EventsQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.drainer.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.drainer.stop();
  }

  nudgeSoon(): void {
    this.drainer.nudge();
  }

  /** Relays everything pending now; resolves when done (tests and shutdown use it). */
  drain(): Promise<void> {
    return this.drainer.drain();
  }

  private relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      // Marked and read in one statement; the mark only sticks if the job is added.
      const rows = await queryRows<PendingRow>(
        manager,
        `UPDATE outbox_events SET published_at = now()
         WHERE id IN (SELECT id FROM outbox_events WHERE published_at IS NULL
                      ORDER BY occurred_at LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, type, version, aggregate_id, payload, occurred_at`,
        [BATCH_SIZE],
      );
      if (rows.length === 0) {
        return 0;
      }
      rows.sort((a, b) => a.occurred_at.getTime() - b.occurred_at.getTime());
      const events = rows.map(toDomainEvent);
      await this.queue.add(
        'publish',
        { events },
        // A completed batch's id only has to outlive a relay's retry of the same rows.
        { jobId: batchJobId(events), removeOnComplete: { age: 24 * 3600, count: 1000 } },
      );
      return rows.length;
    });
  }
}

function toDomainEvent(row: PendingRow): DomainEvent {
  return {
    id: row.id,
    type: row.type,
    version: row.version,
    aggregateId: row.aggregate_id,
    occurredAt: row.occurred_at.toISOString(),
    payload: row.payload,
  };
}

function batchJobId(events: DomainEvent[]): string {
  const ids = events.map((event) => event.id).join(',');
  return `batch-${createHash('sha256').update(ids).digest('hex').slice(0, 32)}`;
}
