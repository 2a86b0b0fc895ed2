import type { FakePrice } from './types.js';

const DAY = 24 * 60 * 60;

/** Stripe bills by calendar; the fake uses 30-day months and 365-day years so tests can compute the dates. */
export function periodEnd(start: number, { recurring }: FakePrice): number {
  const days = recurring.interval === 'month' ? 30 : 365;
  return start + recurring.interval_count * days * DAY;
}

export function daysLater(start: number, days: number): number {
  return start + days * DAY;
}
