import type { Logger } from '@nestjs/common';
import { backgroundTimeout } from '../observability/request-context.js';

export interface PollingDrainerOptions {
  /** Moves one batch; returns how many rows it moved. */
  batch: () => Promise<number>;
  batchSize: number;
  /** The wait between polls when there was nothing to do. */
  pollMs: number;
  /** The wait after a nudge, or after a batch that asked for more. */
  nudgeMs: number;
  logger: Logger;
  /** For the log line of a failed round, e.g. `outbox relay`. */
  name: string;
}

/**
 * One loop that drains a table into a queue: a round runs batches until a short one, then the
 * next round waits a poll, or a nudge's short delay. Never two rounds at once; a nudge during a
 * round makes the next one come soon. `stop` waits for the round in flight.
 */
export class PollingDrainer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: PollingDrainerOptions) {}

  start(): void {
    this.schedule(0);
  }

  nudge(): void {
    this.schedule(this.options.nudgeMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Drains everything pending now; resolves when done (tests and shutdown use it). */
  async drain(): Promise<void> {
    while ((await this.options.batch()) === this.options.batchSize) {
      // until a short batch
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    // A poll already waiting is not pushed back by another poll; a nudge brings it forward.
    if (this.timer && delayMs >= this.options.pollMs) {
      return;
    }
    clearTimeout(this.timer);
    this.timer = backgroundTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    this.running = this.drain()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, `${this.options.name} failed; retrying`),
      )
      .finally(() => {
        this.running = undefined;
        const next = this.again ? this.options.nudgeMs : this.options.pollMs;
        this.again = false;
        this.schedule(next);
      });
  }
}
