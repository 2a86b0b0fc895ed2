import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { DomainEvent } from '../../common/events/domain-event.js';
import { EventSubscribers } from '../../common/events/event-subscribers.js';
import { MARKET_CALLBACKS_QUEUE, type QueueJobs } from '../../common/queue/queue-names.js';
import { AppConfigService } from '../../config/app-config.service.js';

type CallbackQueue = Queue<
  QueueJobs[typeof MARKET_CALLBACKS_QUEUE]['notify'],
  void,
  'notify',
  QueueJobs[typeof MARKET_CALLBACKS_QUEUE]['notify'],
  void,
  'notify'
>;

/** Callback deliveries: more patient than the default, a failed one stays for inspection. */
const CALLBACK_JOB_OPTIONS = {
  attempts: 10,
  backoff: { type: 'exponential', delay: 5000 },
} as const;

/**
 * Tells the Service Market (MARKET_CALLBACK_URL) when a tenant is activated, deactivated or
 * reaches a limit, and when a school's license is over-allocated or ending soon. The event is already durable in the outbox; here it becomes one callback job
 * per event (the job id is the event id, so a relayed-twice event is enqueued once).
 */
@Injectable()
export class MarketCallbacks implements OnModuleInit {
  constructor(
    private readonly subscribers: EventSubscribers,
    private readonly config: AppConfigService,
    @InjectQueue(MARKET_CALLBACKS_QUEUE) private readonly queue: CallbackQueue,
  ) {}

  onModuleInit(): void {
    if (!this.config.get('MARKET_CALLBACK_URL')) {
      return;
    }
    this.subscribers.on(
      [
        'tenant.activated',
        'tenant.deactivated',
        'tenant.limit_reached',
        'license.over_allocated',
        'license.expiring',
      ],
      (event) => this.enqueue(event),
    );
  }

  private async enqueue(event: DomainEvent): Promise<void> {
    await this.queue.add('notify', event, {
      ...CALLBACK_JOB_OPTIONS,
      jobId: `callback-${event.id}`,
    });
  }
}
