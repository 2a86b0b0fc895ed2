import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfigService } from '../../../config/app-config.service.js';
import { QueueHealth } from '../../../common/queue/queue-health.service.js';
import { STRIPE_EVENTS_QUEUE, type QueueJobs } from '../../../common/queue/queue-names.js';
import { startWorker } from '../../../common/queue/start-worker.js';
import { StripeEventHandler } from './stripe-event-handler.service.js';

/** The worker of the `stripe-events` queue: one stored event per job. */
@Processor(STRIPE_EVENTS_QUEUE, { autorun: false, concurrency: 8 })
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
    if (!this.config.get('QUEUE_WORKERS_ENABLED') || !this.config.get('STRIPE_SECRET_KEY')) {
      return;
    }
    await startWorker(this.worker, STRIPE_EVENTS_QUEUE, this.logger, this.queueHealth);
  }

  async process(job: Job<QueueJobs[typeof STRIPE_EVENTS_QUEUE]['process']>): Promise<void> {
    const isLastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await this.handler.process(job.data.eventId, isLastAttempt);
  }
}
