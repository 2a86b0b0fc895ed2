import {
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import { QueueHealth } from '../../common/queue/queue-health.service.js';
import { ACCOUNT_MAILS_QUEUE, type RequestedMail } from '../../common/queue/queue-names.js';
import { startWorker } from '../../common/queue/start-worker.js';
import { AppConfigService } from '../../config/app-config.service.js';
import type { RequestedMailKind } from './account-mails.js';
import { EmailVerification } from './email-verification.service.js';
import { PasswordReset } from './passwords/password-reset.service.js';

/** Looks up the account behind a requested mail (reset, verification) and sends it, if any. */
@Processor(ACCOUNT_MAILS_QUEUE, { autorun: false, concurrency: 4 })
export class AccountMailsProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly logger = new Logger(AccountMailsProcessor.name);

  constructor(
    private readonly passwordReset: PasswordReset,
    private readonly verification: EmailVerification,
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    await startWorker(
      this.worker,
      ACCOUNT_MAILS_QUEUE,
      this.logger,
      this.queueHealth,
      this.config.get('QUEUE_WORKERS_ENABLED'),
    );
  }

  /**
   * Its jobs queue mails: it finishes them before queues and the database close (which happen
   * in onApplicationShutdown), or a job cut off mid-way would hold the shutdown up.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: Job<RequestedMail, unknown, RequestedMailKind>): Promise<void> {
    if (job.name === 'password-reset') {
      await this.passwordReset.mailLink(job.data.email);
    } else {
      await this.verification.mailAgain(job.data.email);
    }
  }
}
