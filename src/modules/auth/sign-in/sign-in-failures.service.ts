import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock.js';
import type { AppException } from '../../../common/errors/app.exception.js';
import { FailureBudget, type BudgetRule } from '../../../common/throttling/failure-budget.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { AuthMetrics, type LoginFailureReason } from '../auth.metrics.js';
import { LoginHistoryRepository } from '../login-history.repository.js';
import { SecurityEvents } from '../security-events.js';
import type { DeviceInfo } from '../sessions.service.js';
import type { SignInProvider } from './sign-in-rules.js';

export interface SignInAttempt {
  userId: string | null;
  /** The identifier as typed (normalised). */
  tried: string | null;
  device: DeviceInfo;
  provider?: SignInProvider;
  /** Password sign-ins spend the failed-login budget of this client IP + identifier. */
  budgetKey?: string;
}

/**
 * A refused sign-in, recorded the same way whatever refused it: metrics, login history, the
 * `auth.login_failed` security event, and the failed-login budget (RATE_LIMIT_LOGIN_*).
 */
@Injectable()
export class SignInFailures {
  constructor(
    private readonly metrics: AuthMetrics,
    private readonly loginHistory: LoginHistoryRepository,
    private readonly security: SecurityEvents,
    private readonly failureBudget: FailureBudget,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {}

  /** 429 when this client IP + identifier has spent its failures. */
  assertBudget(budgetKey: string): Promise<void> {
    return this.failureBudget.assertAvailable(this.loginBudget(), budgetKey);
  }

  async refuse(
    attempt: SignInAttempt,
    reason: LoginFailureReason,
    error: AppException,
  ): Promise<never> {
    this.metrics.loginAttempts.inc({ status: 'failed' });
    this.metrics.failedLogins.inc({ reason });
    await this.loginHistory.record({
      userId: attempt.userId,
      emailTried: attempt.tried,
      ip: attempt.device.ip,
      userAgent: attempt.device.userAgent,
      success: false,
      failureReason: reason,
      ...(attempt.provider ? { provider: attempt.provider } : {}),
      at: this.clock.now(),
    });
    await this.security.record(
      'auth.login_failed',
      { userId: attempt.userId },
      attempt.device,
      'denied',
      attempt.provider
        ? { reason, provider: attempt.provider }
        : { reason, identifier: attempt.tried },
    );
    // Only failures spend the budget; a refusal for a lock costs no hash and is not one.
    if (attempt.budgetKey !== undefined && reason !== 'account_locked') {
      await this.failureBudget.spend(this.loginBudget(), attempt.budgetKey);
    }
    throw error;
  }

  /** Failed sign-ins per client IP + identifier; successes are free. */
  private loginBudget(): BudgetRule {
    return {
      name: 'login',
      limit: this.config.get('RATE_LIMIT_LOGIN_LIMIT'),
      ttlMs: this.config.get('RATE_LIMIT_LOGIN_TTL_SECONDS') * 1000,
    };
  }
}
