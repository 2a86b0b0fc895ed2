import { describe, expect, it } from '@jest/globals';
import { AppException } from '../../common/errors/app.exception.js';
import { daysNewestFirst, resolvePeriod, utcDayWindow, utcMonthWindow } from './usage-period.js';

const now = new Date('2026-11-24T10:00:00Z');

describe('usage periods', () => {
  it('should count the last N UTC days including today, 30d by default', () => {
    expect(resolvePeriod({}, now)).toEqual({ label: '30d', from: '2026-10-26', to: '2026-11-24' });
    expect(resolvePeriod({ period: '7d' }, now)).toMatchObject({ from: '2026-11-18' });
    const days = daysNewestFirst(resolvePeriod({ period: '7d' }, now));
    expect(days).toHaveLength(7);
    expect(days[0]).toBe('2026-11-24');
  });

  it('should accept explicit dates', () => {
    expect(resolvePeriod({ from: '2026-01-01', to: '2026-01-31' }, now)).toEqual({
      label: '2026-01-01/2026-01-31',
      from: '2026-01-01',
      to: '2026-01-31',
    });
  });

  it.each([
    [{ period: '14d' }],
    [{ period: '7d', from: '2026-01-01', to: '2026-01-02' }],
    [{ from: '2026-01-01' }],
    [{ from: '2026-02-30', to: '2026-03-01' }],
    [{ from: '2026-03-02', to: '2026-03-01' }],
    [{ from: '2025-01-01', to: '2026-01-02' }],
  ])('should refuse %j', (query) => {
    expect(() => resolvePeriod(query, now)).toThrow(AppException);
  });
});

describe('UTC day and month windows', () => {
  it('should span the UTC day and month of the instant, the next year at December’s end', () => {
    const now = new Date('2026-12-31T23:59:59.999Z');
    expect(utcDayWindow(now)).toEqual({
      period: '2026-12-31',
      from: new Date('2026-12-31T00:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
    });
    expect(utcMonthWindow(now)).toEqual({
      period: '2026-12',
      from: new Date('2026-12-01T00:00:00Z'),
      to: new Date('2027-01-01T00:00:00Z'),
    });
  });
});
