import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { QueueErrorReporter } from '../queue/queue-error-reporter.js';
import { QueueHealth, withTimeout } from '../queue/queue-health.service.js';
import { MAIL_QUEUE } from '../queue/queue-names.js';
import type { MailMessage } from './mail-message.js';
import { MailTransport, type DeliveryResult } from './mail.transport.js';

@Processor(MAIL_QUEUE, { autorun: false, concurrency: 4 })
export class MailProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(MailProcessor.name);
  private readonly sent;

  constructor(
    private readonly transport: MailTransport,
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
    metrics: MetricsService,
  ) {
    super();
    this.sent = metrics.counter({
      name: 'mail_delivered_total',
      help: 'Mails delivered, by channel',
      labelNames: ['via'],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('QUEUE_WORKERS_ENABLED')) {
      return;
    }
    const reporter = new QueueErrorReporter(this.logger, `worker:${MAIL_QUEUE}`, () => {
      this.queueHealth.markBroken(`worker:${MAIL_QUEUE}`);
      void this.worker.pause(true);
    });
    this.worker.on('error', (error) => reporter.report(error));
    await withTimeout(this.worker.waitUntilReady(), 15_000, `worker ${MAIL_QUEUE}`);
    this.worker.run().catch((error: unknown) => reporter.report(error));
  }

  async process(job: Job<MailMessage>): Promise<DeliveryResult> {
    const result = await this.transport.deliver(job.data, `${job.name}-${job.id ?? 'job'}`);
    this.sent.inc({ via: result.via });
    this.logger.log({ job_id: job.id, via: result.via }, 'mail delivered');
    return result;
  }
}
