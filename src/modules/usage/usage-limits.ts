import type { TenantConfig } from '../tenants/tenant-settings.js';
import { addDays, utcDay } from './usage-period.js';

export type TokenLimitName = 'daily_tokens' | 'monthly_tokens';

/** One token limit of a tenant and the UTC period it applies to now. */
export interface TokenLimitWindow {
  limit: TokenLimitName;
  value: number;
  /** `2026-11-24` (daily) or `2026-11` (monthly) */
  period: string;
  from: Date;
  to: Date;
}

/** The tenant's configured token limits, each with its current UTC day or month. */
export function tokenLimitWindows(limits: TenantConfig['limits'], now: Date): TokenLimitWindow[] {
  const today = utcDay(now);
  const windows: TokenLimitWindow[] = [];
  if (limits.daily_tokens !== null) {
    windows.push({
      limit: 'daily_tokens',
      value: limits.daily_tokens,
      period: today,
      from: new Date(`${today}T00:00:00Z`),
      to: new Date(`${addDays(today, 1)}T00:00:00Z`),
    });
  }
  if (limits.monthly_tokens !== null) {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    windows.push({
      limit: 'monthly_tokens',
      value: limits.monthly_tokens,
      period: today.slice(0, 7),
      from,
      to: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
    });
  }
  return windows;
}

export const limitAggregateId = (tenantId: string, window: TokenLimitWindow): string =>
  `${tenantId}:${window.limit}:${window.period}`;
