import type { Interval } from './types.js';

const DAY = 24 * 60 * 60;

/** Stripe bills by calendar; the fake uses fixed lengths so tests can compute the dates. */
export function periodEnd(start: number, interval: Interval): number {
  return start + (interval === 'month' ? 30 : 365) * DAY;
}

export function daysLater(start: number, days: number): number {
  return start + days * DAY;
}
