import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { AppConfigService } from '../../config/app-config.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { QueueHealth } from '../queue/queue-health.service.js';
import { startWorker } from '../queue/start-worker.js';
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
    await startWorker(
      this.worker,
      MAIL_QUEUE,
      this.logger,
      this.queueHealth,
      this.config.get('QUEUE_WORKERS_ENABLED'),
    );
  }

  async process(job: Job<MailMessage>): Promise<DeliveryResult> {
    const result = await this.transport.deliver(job.data, `${job.name}-${job.id ?? 'job'}`);
    this.sent.inc({ via: result.via });
    this.logger.log({ job_id: job.id, via: result.via }, 'mail delivered');
    return result;
  }
}
