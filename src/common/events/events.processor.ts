import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service.js';
import { QueueHealth } from '../queue/queue-health.service.js';
import { startWorker } from '../queue/start-worker.js';
import { EVENTS_QUEUE, type QueueJobs } from '../queue/queue-names.js';
import type { DomainEvent } from './domain-event.js';
import { EventSubscribers } from './event-subscribers.js';

type EventsJob = QueueJobs[typeof EVENTS_QUEUE]['publish'];

/**
 * The in-process consumer of domain events: logs each event of a batch, then hands it to its
 * subscribers. Events whose handlers failed stay in the job and are retried; the others are
 * not handled again.
 */
@Processor(EVENTS_QUEUE, { autorun: false, concurrency: 8 })
export class EventsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(EventsProcessor.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
    private readonly subscribers: EventSubscribers,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await startWorker(
      this.worker,
      EVENTS_QUEUE,
      this.logger,
      this.queueHealth,
      this.config.get('QUEUE_WORKERS_ENABLED'),
    );
  }

  async process(job: Job<EventsJob | DomainEvent>): Promise<void> {
    // A job enqueued before batching holds one event.
    const events = 'events' in job.data ? job.data.events : [job.data];
    const failed: DomainEvent[] = [];
    let firstError: unknown;
    for (const event of events) {
      try {
        await this.handle(event);
      } catch (error) {
        failed.push(event);
        firstError ??= error;
      }
    }
    if (failed.length > 0) {
      if (failed.length < events.length) {
        await job.updateData({ events: failed });
      }
      throw firstError;
    }
  }

  private async handle(event: DomainEvent): Promise<void> {
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
    await this.subscribers.dispatch(event);
  }
}
