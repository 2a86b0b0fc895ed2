import { Inject, Injectable } from '@nestjs/common';
import { ThrottlerStorage } from '@nestjs/throttler';
import { AppConfigService } from '../../config/app-config.service.js';
import { rateLimited } from './rate-limited.js';

export interface WindowCount {
  totalHits: number;
  /** Seconds until the window ends (0 without one). */
  timeToExpire: number;
}

/** Our storages can also read a window without counting a hit. */
export interface PeekableThrottlerStorage extends ThrottlerStorage {
  peek(key: string, throttlerName: string): Promise<WindowCount>;
}

export interface BudgetRule {
  name: string;
  limit: number;
  ttlMs: number;
}

/**
 * A budget that only failures spend (the login budget per client IP + account): the caller
 * checks it before the costly work and spends it when the attempt fails, so successes are
 * free and the caller decides what takes precedence over a 429 (a lockout's 423).
 */
@Injectable()
export class FailureBudget {
  constructor(
    @Inject(ThrottlerStorage) private readonly storage: PeekableThrottlerStorage,
    private readonly config: AppConfigService,
  ) {}

  /** 429 with Retry-After once `limit` failures fell in the current window. */
  async assertAvailable(rule: BudgetRule, key: string): Promise<void> {
    // RATE_LIMIT_ENABLED switches every budget off, this one as the throttler's.
    if (!this.config.get('RATE_LIMIT_ENABLED')) {
      return;
    }
    const window = await this.storage.peek(key, rule.name);
    if (window.totalHits >= rule.limit) {
      throw rateLimited(window.timeToExpire, 'Too many failed sign-ins', {
        limit: rule.limit,
        window_seconds: Math.ceil(rule.ttlMs / 1000),
      });
    }
  }

  async spend(rule: BudgetRule, key: string): Promise<void> {
    if (!this.config.get('RATE_LIMIT_ENABLED')) {
      return;
    }
    // No block marker: assertAvailable reads the count itself.
    await this.storage.increment(key, rule.ttlMs, Number.MAX_SAFE_INTEGER, rule.ttlMs, rule.name);
  }
}
