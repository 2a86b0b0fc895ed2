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
  /**
   * The least wait after a round that moved rows, so that under load rows gather into full
   * batches rather than one round per nudge. 0: none.
   */
  cooldownMs?: number;
  logger: Logger;
  /** For the log line of a failed round, e.g. `outbox relay`. */
  name: string;
}

/**
 * One loop that drains a table into a queue: a round runs batches until a short one, then the
 * next round waits a poll, or a nudge's short delay, but never less than the cooldown after a
 * round that moved rows. Never two rounds at once; a nudge during a round makes the next one
 * come soon; a nudge never pushes back a round already due sooner. `stop` waits for the round
 * in flight.
 */
export class PollingDrainer {
  private timer: NodeJS.Timeout | undefined;
  /** When the pending timer fires (ms since the epoch). */
  private timerAt = 0;
  /** No round starts before this (the cooldown after a round that moved rows). */
  private notBefore = 0;
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
    await this.round();
  }

  /** Batches until a short one; resolves how many rows they moved. */
  private async round(): Promise<number> {
    let moved = 0;
    let last: number;
    do {
      last = await this.options.batch();
      moved += last;
    } while (last === this.options.batchSize);
    return moved;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    const now = Date.now();
    const at = Math.max(now + delayMs, this.notBefore);
    // A round already due sooner stays: a stream of nudges does not hold it back.
    if (this.timer && this.timerAt <= at) {
      return;
    }
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = backgroundTimeout(() => this.tick(), at - now);
    this.timer.unref();
  }

  private tick(): void {
    this.timer = undefined;
    this.running = this.round()
      .then((moved) => {
        this.notBefore = moved > 0 ? Date.now() + (this.options.cooldownMs ?? 0) : 0;
      })
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
