import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../../../config/app-config.service.js';
import type { User } from '../../users/user.entity.js';
import { UsersRepository, type FailedLoginResult } from '../../users/users.repository.js';
import { AuthMetrics } from '../auth.metrics.js';
import { LoginFailuresRepository } from '../login-failures.repository.js';
import { SecurityEvents } from '../security-events.js';
import type { DeviceInfo } from '../sessions.service.js';

/**
 * MAX_LOGIN_ATTEMPTS failures in a row lock an identifier for LOCKOUT_MINUTES. An account with
 * a password counts its own failures; any other identifier (unknown, or an account that signs
 * in with Google or its LMS) counts in login_failures, keyed by an HMAC: both lock alike.
 */
@Injectable()
export class Lockouts {
  constructor(
    private readonly users: UsersRepository,
    private readonly loginFailures: LoginFailuresRepository,
    private readonly config: AppConfigService,
    private readonly metrics: AuthMetrics,
    private readonly security: SecurityEvents,
  ) {}

  /** The key an identifier without a password account counts its failures under. */
  identifierKey(tried: string): Buffer {
    return this.loginFailures.hashOf(tried);
  }

  identifierLockedUntil(identifier: Buffer, now: Date): Promise<Date | null> {
    return this.loginFailures.lockedUntil(identifier, now);
  }

  /** A wrong password for this account. */
  async accountFailed(user: User, device: DeviceInfo, now: Date): Promise<FailedLoginResult> {
    const result = await this.users.recordFailedLogin(
      user.id,
      now,
      this.config.get('MAX_LOGIN_ATTEMPTS'),
      this.config.get('LOCKOUT_MINUTES'),
    );
    if (result.justLocked && result.lockedUntil) {
      this.metrics.lockouts.inc();
      await this.security.record('auth.account_locked', { userId: user.id }, device, 'denied', {
        locked_until: result.lockedUntil.toISOString(),
        failed_attempts: result.failedLoginCount,
      });
    }
    return result;
  }

  /** A failure for an identifier that has no password to check. */
  async identifierFailed(identifier: Buffer, now: Date): Promise<FailedLoginResult> {
    const result = await this.loginFailures.recordFailure(
      identifier,
      now,
      this.config.get('MAX_LOGIN_ATTEMPTS'),
      this.config.get('LOCKOUT_MINUTES'),
    );
    if (result.justLocked) {
      this.metrics.lockouts.inc();
    }
    return result;
  }
}
