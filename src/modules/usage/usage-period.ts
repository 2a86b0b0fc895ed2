import { calendarDateMessage, isCalendarDate } from '../../common/validation/calendar-date.js';
import { AppException } from '../../common/errors/app.exception.js';

export const PERIODS = { '7d': 7, '30d': 30, '90d': 90 } as const;
export type PeriodName = keyof typeof PERIODS;
export const DEFAULT_PERIOD: PeriodName = '30d';
export const MAX_SPAN_DAYS = 366;

/** A range of whole UTC days, both ends included. */
export interface UsagePeriod {
  /** `30d`, or `2026-01-01/2026-01-31` for explicit dates */
  label: string;
  /** YYYY-MM-DD */
  from: string;
  to: string;
}

export interface PeriodQuery {
  period?: string;
  from?: string;
  to?: string;
}

const DAY_MS = 86_400_000;

export const utcDay = (date: Date): string => date.toISOString().slice(0, 10);

export const addDays = (day: string, days: number): string =>
  utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));

/** A UTC day or month as a half-open range of instants, with its name (`2026-11-24`, `2026-11`). */
export interface UtcWindow {
  period: string;
  from: Date;
  to: Date;
}

export function utcDayWindow(now: Date): UtcWindow {
  const today = utcDay(now);
  return {
    period: today,
    from: new Date(`${today}T00:00:00Z`),
    to: new Date(`${addDays(today, 1)}T00:00:00Z`),
  };
}

export function utcMonthWindow(now: Date): UtcWindow {
  return {
    period: utcDay(now).slice(0, 7),
    from: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

function invalid(field: string, error: string): AppException {
  return new AppException('COMMON_VALIDATION_FAILED', undefined, {
    fields: [{ field, errors: [error] }],
  });
}

function parseDay(field: string, value: string): string {
  if (!isCalendarDate(value)) {
    throw invalid(field, calendarDateMessage(field));
  }
  return value;
}

/** `period` (7d, 30d, 90d; the last N UTC days up to today) or `from` and `to`; else 400. */
export function resolvePeriod(query: PeriodQuery, now: Date): UsagePeriod {
  const explicit = query.from !== undefined || query.to !== undefined;
  if (explicit) {
    if (query.period !== undefined) {
      throw invalid('period', 'give either period or from/to, not both');
    }
    // A malformed date is named before a missing partner: `from=garbage` is about `from`.
    const from = query.from === undefined ? undefined : parseDay('from', query.from);
    const to = query.to === undefined ? undefined : parseDay('to', query.to);
    if (from === undefined || to === undefined) {
      throw invalid(from === undefined ? 'from' : 'to', 'from and to go together');
    }
    if (from > to) {
      throw invalid('from', 'from must not be after to');
    }
    if (daysBetween(from, to) + 1 > MAX_SPAN_DAYS) {
      throw invalid('to', `a period spans at most ${MAX_SPAN_DAYS} days`);
    }
    return { label: `${from}/${to}`, from, to };
  }
  const name = query.period ?? DEFAULT_PERIOD;
  if (!Object.hasOwn(PERIODS, name)) {
    throw invalid('period', `period must be one of ${Object.keys(PERIODS).join(', ')}`);
  }
  const to = utcDay(now);
  return { label: name, from: addDays(to, 1 - PERIODS[name as PeriodName]), to };
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** Every day of the period, newest first (the seed's trend order). */
export function daysNewestFirst(period: UsagePeriod): string[] {
  const count = daysBetween(period.from, period.to) + 1;
  return Array.from({ length: count }, (_, index) => addDays(period.to, -index));
}
