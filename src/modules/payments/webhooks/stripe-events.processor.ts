import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfigService } from '../../../config/app-config.service.js';
import { QueueHealth } from '../../../common/queue/queue-health.service.js';
import { STRIPE_EVENTS_QUEUE, type QueueJobs } from '../../../common/queue/queue-names.js';
import { startWorker } from '../../../common/queue/start-worker.js';
import { StripeEventHandler } from './stripe-event-handler.service.js';

/**
 * The worker of the `stripe-events` queue. A job carries several stored events; each is
 * processed on its own (one failing does not stop the others), and the job fails, to be
 * retried with backoff, while any of them failed. A retry skips those already processed.
 */
@Processor(STRIPE_EVENTS_QUEUE, { autorun: false })
export class StripeEventsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(StripeEventsProcessor.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
    private readonly handler: StripeEventHandler,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const run =
      this.config.get('QUEUE_WORKERS_ENABLED') && Boolean(this.config.get('STRIPE_SECRET_KEY'));
    // Few jobs at once (each holds 20 events): acknowledging deliveries comes first; a burst
    // waits in the queue, and more instances drain faster.
    this.worker.concurrency = this.config.get('STRIPE_EVENT_WORKER_CONCURRENCY');
    await startWorker(this.worker, STRIPE_EVENTS_QUEUE, this.logger, this.queueHealth, run);
  }

  async process(job: Job<QueueJobs[typeof STRIPE_EVENTS_QUEUE]['process']>): Promise<void> {
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const failed = await this.handler.processAll(job.data.eventIds, isLastAttempt);
    if (failed.length > 0) {
      throw new Error(`Stripe events not processed yet: ${failed.join(', ')}`);
    }
  }
}
