import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { MAIL_QUEUE } from './queue-names.js';

@Injectable()
export class QueueHealth {
  constructor(@InjectQueue(MAIL_QUEUE) private readonly mailQueue: Queue) {}

  /** A real round trip to the queue backend, whichever it is. */
  async ping(): Promise<{ waiting: number; failed: number }> {
    const counts = await this.mailQueue.getJobCounts('waiting', 'failed');
    return { waiting: counts.waiting ?? 0, failed: counts.failed ?? 0 };
  }
}
