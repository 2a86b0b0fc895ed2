import type { Logger } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { QueueErrorReporter } from './queue-error-reporter.js';
import { withTimeout, type QueueHealth } from './queue-health.service.js';

const READY_TIMEOUT_MS = 15_000;

/**
 * Starts a processor's worker (declared with `autorun: false`) once the app boots: errors are
 * reported at a bounded rate, and a worker whose errors spin is paused and marked broken so
 * readiness fails and the orchestrator restarts the instance. A worker that must not run here
 * (`run` false) is still connected before the app serves: BullMQ connects every worker it
 * builds, and one whose first connection fails stays broken and fails the app's shutdown.
 */
export async function startWorker(
  worker: Worker,
  queueName: string,
  logger: Logger,
  queueHealth: QueueHealth,
  run = true,
): Promise<void> {
  const consumer = `worker:${queueName}`;
  const reporter = new QueueErrorReporter(logger, consumer, () => {
    queueHealth.markBroken(consumer);
    void worker.pause(true);
  });
  worker.on('error', (error) => reporter.report(error));
  await withTimeout(worker.waitUntilReady(), READY_TIMEOUT_MS, `worker ${queueName}`);
  if (!run) {
    return;
  }
  worker.run().catch((error: unknown) => reporter.report(error));
}
