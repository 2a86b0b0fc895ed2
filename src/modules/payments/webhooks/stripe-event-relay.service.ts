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
import { AppConfigService } from '../../../config/app-config.service.js';
import { STRIPE_EVENTS_QUEUE, type QueueJobs } from '../../../common/queue/queue-names.js';
import { PollingDrainer } from '../../../common/events/polling-drainer.js';
import { StripeEventsRepository } from './stripe-events.repository.js';

type StripeEventsQueue = Queue<
  QueueJobs[typeof STRIPE_EVENTS_QUEUE]['process'],
  unknown,
  'process'
>;

const POLL_INTERVAL_MS = 1000;
const NUDGE_DELAY_MS = 10;
const BATCH_SIZE = 200;
/** Events per job: the queue's own cost per job is shared by this many. */
const EVENTS_PER_JOB = 20;

/**
 * Moves stored Stripe events into the `stripe-events` queue, in batches, after the webhook has
 * answered. Its poll is also the sweep: an event stored by a process that died before its job
 * was added has no `enqueued_at` and is picked up here. A job carries up to 20 events (the
 * queue's cost per job is shared); its id names its first event, their number and round, so
 * a retry (a new round) gets a new job even though the queue keeps the failed one. Should a
 * relay die between adding and marking, the events go again in another job: processing
 * claims each event once, so none is applied twice.
 */
@Injectable()
export class StripeEventRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly drainer = new PollingDrainer({
    batch: () => this.relayBatch(),
    batchSize: BATCH_SIZE,
    pollMs: POLL_INTERVAL_MS,
    nudgeMs: NUDGE_DELAY_MS,
    logger: new Logger(StripeEventRelay.name),
    name: 'stripe event relay',
  });

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(STRIPE_EVENTS_QUEUE) private readonly queue: StripeEventsQueue,
    private readonly events: StripeEventsRepository,
    private readonly config: AppConfigService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.get('STRIPE_SECRET_KEY')) {
      this.drainer.start();
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.drainer.stop();
  }

  nudge(): void {
    this.drainer.nudge();
  }

  /** Relays everything stored now; resolves when done. */
  drain(): Promise<void> {
    return this.drainer.drain();
  }

  private relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.events.claimUnenqueued(manager, BATCH_SIZE);
      if (rows.length === 0) {
        return 0;
      }
      await this.queue.addBulk(
        chunks(rows, EVENTS_PER_JOB).map((chunk) => ({
          name: 'process' as const,
          data: { eventIds: chunk.map((row) => row.id) },
          opts: {
            jobId: jobIdOf(chunk),
            attempts: this.config.get('STRIPE_EVENT_MAX_ATTEMPTS'),
            backoff: { type: 'exponential', delay: this.config.get('STRIPE_EVENT_RETRY_DELAY_MS') },
          },
        })),
      );
      await this.events.markEnqueued(
        manager,
        rows.map((row) => row.id),
      );
      return rows.length;
    });
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

function jobIdOf(chunk: Array<{ id: string; enqueue_round: number }>): string {
  const round = Math.max(...chunk.map((row) => row.enqueue_round));
  return `${chunk[0]?.id ?? 'none'}-n${chunk.length}-r${round}`;
}
