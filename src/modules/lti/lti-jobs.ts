import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { JobsOptions, Queue } from 'bullmq';
import { LTI_QUEUE } from '../../common/queue/queue-names.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { LTI_BACKOFF } from './lti-backoff.js';

/**
 * Producer side of the `lti` queue: retries back off from LTI_RETRY_DELAY_MS, doubling, or
 * later when the LMS's Retry-After asks (see ltiBackoff).
 */
@Injectable()
export class LtiJobs {
  private readonly retry: JobsOptions;

  constructor(
    @InjectQueue(LTI_QUEUE) private readonly queue: Queue,
    config: AppConfigService,
  ) {
    this.retry = {
      attempts: 5,
      backoff: { type: LTI_BACKOFF, delay: config.get('LTI_RETRY_DELAY_MS') },
      // Few completed jobs kept: on the PostgreSQL backend each completion trims the kept ones,
      // sorting them all (10,000 by default). A repeated publication is harmless: the job
      // sends nothing already sent.
      removeOnComplete: { age: 24 * 3600, count: 500 },
    };
  }

  async rosterSync(syncId: string): Promise<void> {
    await this.queue.add('roster-sync', { syncId }, { ...this.retry, jobId: `roster-${syncId}` });
  }

  /** `round` tells publications of one score apart (a failed job keeps its id in the queue). */
  async publishScore(scoreId: string, round: string): Promise<void> {
    await this.queue.add(
      'publish-score',
      { scoreId },
      { ...this.retry, jobId: `score-${scoreId}-${round}` },
    );
  }
}
