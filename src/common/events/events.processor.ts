import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service.js';
import { QueueErrorReporter } from '../queue/queue-error-reporter.js';
import { QueueHealth, withTimeout } from '../queue/queue-health.service.js';
import { EVENTS_QUEUE } from '../queue/queue-names.js';
import type { DomainEvent } from './domain-event.js';

/** The in-process consumer of domain events: for now it logs them (other services subscribe later). */
@Processor(EVENTS_QUEUE, { autorun: false, concurrency: 8 })
export class EventsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(EventsProcessor.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('QUEUE_WORKERS_ENABLED')) {
      return;
    }
    const reporter = new QueueErrorReporter(this.logger, `worker:${EVENTS_QUEUE}`, () => {
      this.queueHealth.markBroken(`worker:${EVENTS_QUEUE}`);
      void this.worker.pause(true);
    });
    this.worker.on('error', (error) => reporter.report(error));
    await withTimeout(this.worker.waitUntilReady(), 15_000, `worker ${EVENTS_QUEUE}`);
    this.worker.run().catch((error: unknown) => reporter.report(error));
  }

  process(job: Job<DomainEvent>): Promise<void> {
    const event = job.data;
    this.logger.log(
      {
        event_id: event.id,
        event_type: event.type,
        event_version: event.version,
        aggregate_id: event.aggregateId,
        occurred_at: event.occurredAt,
        payload: event.payload,
      },
      'domain event',
    );
    return Promise.resolve();
  }
}
