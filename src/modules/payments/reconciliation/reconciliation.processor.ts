import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { AppConfigService } from '../../../config/app-config.service.js';
import { QueueHealth } from '../../../common/queue/queue-health.service.js';
import { PAYMENTS_MAINTENANCE_QUEUE } from '../../../common/queue/queue-names.js';
import { startWorker } from '../../../common/queue/start-worker.js';
import { Reconciliation } from './reconciliation.service.js';

const SCHEDULER_ID = 'payments-reconciliation';

/** Runs reconciliation every PAYMENTS_RECONCILE_INTERVAL_MINUTES, once across all instances. */
@Processor(PAYMENTS_MAINTENANCE_QUEUE, { autorun: false, concurrency: 1 })
export class ReconciliationProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReconciliationProcessor.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
    private readonly reconciliation: Reconciliation,
    @InjectQueue(PAYMENTS_MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const run =
      this.config.get('QUEUE_WORKERS_ENABLED') && Boolean(this.config.get('STRIPE_SECRET_KEY'));
    if (!run) {
      await startWorker(
        this.worker,
        PAYMENTS_MAINTENANCE_QUEUE,
        this.logger,
        this.queueHealth,
        false,
      );
      return;
    }
    // A job scheduler is one per id whatever the number of instances.
    const every = this.config.get('PAYMENTS_RECONCILE_INTERVAL_MINUTES') * 60_000;
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every, startDate: Date.now() + every },
      { name: 'reconcile', data: {}, opts: { attempts: 1, removeOnFail: { count: 100 } } },
    );
    await startWorker(this.worker, PAYMENTS_MAINTENANCE_QUEUE, this.logger, this.queueHealth);
  }

  async process(): Promise<void> {
    await this.reconciliation.run();
  }
}
