import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken, InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QueueErrorReporter } from './queue-error-reporter.js';
import { MAIL_QUEUE, QUEUE_NAMES } from './queue-names.js';

const READY_TIMEOUT_MS = 15_000;

export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} not ready after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness of the queue backend. Queues are connected (and BullMQ's schema migrated) before
 * the app serves: a BullMQ connection whose first bootstrap fails stays broken, so that must
 * happen while the database is known to be up.
 */
@Injectable()
export class QueueHealth implements OnApplicationBootstrap {
  private readonly logger = new Logger(QueueHealth.name);
  private readonly broken = new Set<string>();

  constructor(
    @InjectQueue(MAIL_QUEUE) private readonly mailQueue: Queue,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Every registered queue, not only those with a worker here: an idle queue that is still
   * bootstrapping when the database blips would stay broken and fail the app's shutdown. */
  async onApplicationBootstrap(): Promise<void> {
    for (const name of QUEUE_NAMES) {
      const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
      const reporter = new QueueErrorReporter(this.logger, `queue:${queue.name}`);
      queue.on('error', (error) => reporter.report(error));
      await withTimeout(queue.waitUntilReady(), READY_TIMEOUT_MS, `queue ${queue.name}`);
    }
  }

  /** A consumer that had to stop; readiness reports it until the process restarts. */
  markBroken(consumer: string): void {
    this.broken.add(consumer);
  }

  /** A real round trip to the queue backend, whichever it is. */
  async ping(): Promise<{ waiting: number; failed: number }> {
    if (this.broken.size > 0) {
      throw new Error(`stopped consumers: ${[...this.broken].join(', ')}`);
    }
    const counts = await this.mailQueue.getJobCounts('waiting', 'failed');
    return { waiting: counts.waiting ?? 0, failed: counts.failed ?? 0 };
  }
}
