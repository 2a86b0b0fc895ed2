import type { Logger } from '@nestjs/common';
import { describe, expect, it, jest } from '@jest/globals';
import { QueueErrorReporter } from './queue-error-reporter.js';

function fakeLogger(): { logger: Logger; lines: unknown[][] } {
  const lines: unknown[][] = [];
  const logger = { error: (...args: unknown[]) => lines.push(args) } as unknown as Logger;
  return { logger, lines };
}

describe('QueueErrorReporter', () => {
  it('should log the first error, then one line per 30 s with the count suppressed', () => {
    let now = 1_000_000;
    const { logger, lines } = fakeLogger();
    const reporter = new QueueErrorReporter(logger, 'worker:mail', undefined, () => now);
    reporter.report(new Error('connection lost'));
    now += 1_000;
    reporter.report(new Error('connection lost'));
    now += 1_000;
    reporter.report(new Error('connection lost'));
    expect(lines).toHaveLength(1);
    now += 30_000;
    reporter.report(new Error('still down'));
    expect(lines).toHaveLength(2);
    expect(lines[1]?.[0]).toMatchObject({ suppressed: 2, err: { message: 'still down' } });
  });

  it('should call onStorm once when errors spin faster than any retry schedule', () => {
    const onStorm = jest.fn();
    const { logger } = fakeLogger();
    const now = 5_000;
    const reporter = new QueueErrorReporter(logger, 'worker:mail', onStorm, () => now);
    for (let i = 0; i < 200; i += 1) {
      reporter.report(new Error('not queryable'));
    }
    expect(onStorm).toHaveBeenCalledTimes(1);
  });

  it('should not call onStorm for errors spread over time', () => {
    const onStorm = jest.fn();
    const { logger } = fakeLogger();
    let now = 0;
    const reporter = new QueueErrorReporter(logger, 'worker:mail', onStorm, () => now);
    for (let i = 0; i < 200; i += 1) {
      now += 100;
      reporter.report(new Error('retrying'));
    }
    expect(onStorm).not.toHaveBeenCalled();
  });
});
