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
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(EVENTS_QUEUE) private readonly queue: EventsQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  nudgeSoon(): void {
    this.schedule(NUDGE_DELAY_MS);
  }

  /** Relays everything pending now; resolves when done (tests and shutdown use it). */
  async drain(): Promise<void> {
    while ((await this.relayBatch()) === BATCH_SIZE) {
      // keep going until a short batch
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    this.running = this.drain()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'outbox relay failed; retrying'))
      .finally(() => {
        this.running = undefined;
        const next = this.again ? NUDGE_DELAY_MS : POLL_INTERVAL_MS;
        this.again = false;
        this.schedule(next);
      });
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
