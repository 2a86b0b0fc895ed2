import type { TenantConfig } from '../tenants/tenant-settings.js';
import { utcDayWindow, utcMonthWindow, type UtcWindow } from './usage-period.js';

export type TokenLimitName = 'daily_tokens' | 'monthly_tokens';

/** One token limit of a tenant and the UTC period it applies to now. */
export interface TokenLimitWindow extends UtcWindow {
  limit: TokenLimitName;
  value: number;
}

/** The tenant's configured token limits, each with its current UTC day or month. */
export function tokenLimitWindows(limits: TenantConfig['limits'], now: Date): TokenLimitWindow[] {
  const windows: TokenLimitWindow[] = [];
  if (limits.daily_tokens !== null) {
    windows.push({ limit: 'daily_tokens', value: limits.daily_tokens, ...utcDayWindow(now) });
  }
  if (limits.monthly_tokens !== null) {
    windows.push({ limit: 'monthly_tokens', value: limits.monthly_tokens, ...utcMonthWindow(now) });
  }
  return windows;
}

export const limitAggregateId = (tenantId: string, window: TokenLimitWindow): string =>
  `${tenantId}:${window.limit}:${window.period}`;
