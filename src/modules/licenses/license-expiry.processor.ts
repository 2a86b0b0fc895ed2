import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service.js';
import { QueueHealth } from '../../common/queue/queue-health.service.js';
import { LICENSES_MAINTENANCE_QUEUE } from '../../common/queue/queue-names.js';
import { startWorker } from '../../common/queue/start-worker.js';
import { LicenseExpiry } from './license-expiry.service.js';

const SCHEDULER_ID = 'licenses-expiry';

/** Runs the expiry check every LICENSE_EXPIRY_CHECK_INTERVAL_MINUTES, once across all instances. */
@Processor(LICENSES_MAINTENANCE_QUEUE, { autorun: false, concurrency: 1 })
export class LicenseExpiryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(LicenseExpiryProcessor.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
    private readonly expiry: LicenseExpiry,
    @InjectQueue(LICENSES_MAINTENANCE_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('QUEUE_WORKERS_ENABLED')) {
      await startWorker(
        this.worker,
        LICENSES_MAINTENANCE_QUEUE,
        this.logger,
        this.queueHealth,
        false,
      );
      return;
    }
    // A job scheduler is one per id whatever the number of instances.
    const every = this.config.get('LICENSE_EXPIRY_CHECK_INTERVAL_MINUTES') * 60_000;
    await this.queue.upsertJobScheduler(
      SCHEDULER_ID,
      { every, startDate: Date.now() + every },
      { name: 'check-expiry', data: {}, opts: { attempts: 1, removeOnFail: { count: 100 } } },
    );
    await startWorker(this.worker, LICENSES_MAINTENANCE_QUEUE, this.logger, this.queueHealth);
  }

  async process(): Promise<void> {
    await this.expiry.run();
  }
}
