import type { Logger } from '@nestjs/common';

const REPORT_EVERY_MS = 30_000;
const STORM_WINDOW_MS = 1_000;
const STORM_THRESHOLD = 50;

/**
 * Logs queue and worker errors without flooding: the first one, then at most one line per
 * 30 s with the number suppressed. Calls `onStorm` once when errors arrive faster than any
 * retry schedule would produce them (a client spinning on a broken connection).
 */
export class QueueErrorReporter {
  private lastReportAt = 0;
  private suppressed = 0;
  private windowStart = 0;
  private windowCount = 0;
  private stormed = false;

  constructor(
    private readonly logger: Logger,
    private readonly source: string,
    private readonly onStorm: () => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  report(error: unknown): void {
    const now = this.now();
    this.trackStorm(now);
    if (now - this.lastReportAt < REPORT_EVERY_MS) {
      this.suppressed += 1;
      return;
    }
    this.logger.error(
      { source: this.source, err: summarize(error), suppressed: this.suppressed },
      'queue backend error',
    );
    this.lastReportAt = now;
    this.suppressed = 0;
  }

  private trackStorm(now: number): void {
    if (now - this.windowStart > STORM_WINDOW_MS) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    if (!this.stormed && this.windowCount >= STORM_THRESHOLD) {
      this.stormed = true;
      this.logger.error({ source: this.source }, 'queue error storm: stopping this consumer');
      this.onStorm();
    }
  }
}

function summarize(error: unknown): { message: string; code?: string } {
  if (error instanceof Error) {
    return { message: error.message, code: (error as NodeJS.ErrnoException).code };
  }
  return { message: String(error) };
}
