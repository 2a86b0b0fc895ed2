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
 * Moves committed outbox rows to the `events` queue. Rows are locked with SKIP LOCKED so several
 * instances relay without duplicates; the job id is the event id, so a relay that dies between
 * enqueue and commit re-sends a job the queue already holds, and nothing is lost or doubled.
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
      const rows = await queryRows<PendingRow>(
        manager,
        `SELECT id, type, version, aggregate_id, payload, occurred_at FROM outbox_events
         WHERE published_at IS NULL ORDER BY occurred_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH_SIZE],
      );
      if (rows.length === 0) {
        return 0;
      }
      await this.queue.addBulk(
        rows.map((row) => ({
          name: 'publish' as const,
          data: {
            id: row.id,
            type: row.type,
            version: row.version,
            aggregateId: row.aggregate_id,
            occurredAt: row.occurred_at.toISOString(),
            payload: row.payload,
          },
          opts: { jobId: row.id },
        })),
      );
      await manager.query(
        `UPDATE outbox_events SET published_at = now() WHERE id = ANY($1::uuid[])`,
        [rows.map((row) => row.id)],
      );
      return rows.length;
    });
  }
}
