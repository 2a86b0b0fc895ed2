import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job } from 'bullmq';
import type { DomainEvent } from '../../common/events/domain-event.js';
import { QueueHealth } from '../../common/queue/queue-health.service.js';
import { MARKET_CALLBACKS_QUEUE } from '../../common/queue/queue-names.js';
import { startWorker } from '../../common/queue/start-worker.js';
import { AppConfigService } from '../../config/app-config.service.js';

const TIMEOUT_MS = 10_000;

/** POSTs one tenant event to the Service Market; a failure retries with backoff. */
@Processor(MARKET_CALLBACKS_QUEUE, { autorun: false, concurrency: 4 })
export class MarketCallbackProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MarketCallbackProcessor.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await startWorker(
      this.worker,
      MARKET_CALLBACKS_QUEUE,
      this.logger,
      this.queueHealth,
      this.config.get('QUEUE_WORKERS_ENABLED'),
    );
  }

  async process(job: Job<DomainEvent>): Promise<void> {
    const url = this.config.get('MARKET_CALLBACK_URL');
    if (!url) {
      return;
    }
    const event = job.data;
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-service-api-key': this.config.get('MARKET_CALLBACK_API_KEY') ?? '',
        // The same id on every retry: the market applies each event once.
        'idempotency-key': event.id,
      },
      body: JSON.stringify({
        event_id: event.id,
        event_type: event.type,
        tenant_id: event.payload.tenant_id,
        occurred_at: event.occurredAt,
        data: event.payload,
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.arrayBuffer();
    if (response.ok) {
      this.logger.log({ event_id: event.id, event_type: event.type }, 'market callback delivered');
      return;
    }
    const message = `market callback answered ${response.status}`;
    // A refusal other than "later" will not change by retrying: keep the job failed for a look.
    if (
      response.status >= 400 &&
      response.status < 500 &&
      ![408, 425, 429].includes(response.status)
    ) {
      throw new UnrecoverableError(message);
    }
    throw new Error(message);
  }
}
