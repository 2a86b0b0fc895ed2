import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { Clock } from '../../common/clock/clock.js';
import { QueueHealth } from '../../common/queue/queue-health.service.js';
import { LTI_QUEUE } from '../../common/queue/queue-names.js';
import { startWorker } from '../../common/queue/start-worker.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { LtiGradesRepository } from './grades/lti-grades.repository.js';
import { LtiScorePublisher } from './grades/lti-score-publisher.service.js';
import { ltiBackoff } from './lti-backoff.js';
import { LtiJobs } from './lti-jobs.js';
import { LtiRosterSync } from './roster/lti-roster-sync.service.js';
import { LtiRoster } from './roster/lti-roster.service.js';
import { LtiServiceError } from './services/lti-service-error.js';

const SWEEP_EVERY_MS = 10 * 60 * 1000;
/** A pending score untouched this long has lost its job (a crash after commit): queue it again. */
const STALE_PENDING_MS = 15 * 60 * 1000;

/**
 * The `lti` queue's worker: roster syncs, score publications, and two schedulers (one each
 * across all instances): every course's roster at LTI_ROSTER_SYNC_CRON, and a sweep for
 * scores whose job was lost. An LMS's 4xx is not retried; 5xx, 429 and timeouts back off
 * (never sooner than the LMS's Retry-After).
 */
@Processor(LTI_QUEUE, { autorun: false, settings: { backoffStrategy: ltiBackoff } })
export class LtiJobsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(LtiJobsProcessor.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly queueHealth: QueueHealth,
    private readonly rosterSync: LtiRosterSync,
    private readonly roster: LtiRoster,
    private readonly publisher: LtiScorePublisher,
    private readonly grades: LtiGradesRepository,
    private readonly jobs: LtiJobs,
    private readonly clock: Clock,
    @InjectQueue(LTI_QUEUE) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    const run = this.config.get('QUEUE_WORKERS_ENABLED');
    if (run) {
      const once = { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };
      await this.queue.upsertJobScheduler(
        'lti-nightly-rosters',
        { pattern: this.config.get('LTI_ROSTER_SYNC_CRON'), tz: 'UTC' },
        { name: 'nightly-rosters', data: {}, opts: once },
      );
      await this.queue.upsertJobScheduler(
        'lti-sweep-scores',
        { every: SWEEP_EVERY_MS, startDate: Date.now() + SWEEP_EVERY_MS },
        { name: 'sweep-scores', data: {}, opts: once },
      );
    }
    this.worker.concurrency = this.config.get('LTI_WORKER_CONCURRENCY');
    await startWorker(this.worker, LTI_QUEUE, this.logger, this.queueHealth, run);
  }

  async process(job: Job): Promise<void> {
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      switch (job.name) {
        case 'roster-sync':
          await this.rosterSync.run((job.data as { syncId: string }).syncId, final);
          return;
        case 'publish-score':
          await this.publisher.publish((job.data as { scoreId: string }).scoreId, final);
          return;
        case 'nightly-rosters':
          this.logger.log({ queued: await this.roster.requestAll() }, 'nightly LMS roster syncs');
          return;
        case 'sweep-scores':
          await this.sweep();
          return;
        default:
          throw new UnrecoverableError(`unknown lti job ${job.name}`);
      }
    } catch (error) {
      // The LMS refused (4xx): the same call would be refused again.
      if (error instanceof LtiServiceError && !error.retryable) {
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  }

  private async sweep(): Promise<void> {
    const stale = await this.grades.stalePending(
      new Date(this.clock.nowMs() - STALE_PENDING_MS),
      1000,
    );
    for (const score of stale) {
      await this.jobs.publishScore(score.id, `sweep-${score.updated_at.getTime()}`);
    }
  }
}
