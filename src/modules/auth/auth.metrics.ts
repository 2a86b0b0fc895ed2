import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { SessionsRepository } from './sessions.repository.js';

export type LoginFailureReason =
  | 'user_not_found'
  | 'no_password'
  | 'invalid_password'
  | 'account_locked'
  | 'account_disabled'
  | 'email_not_verified'
  | 'tenant_inactive'
  | 'not_a_member';

/** The account metrics (`user_*`), under the names dashboards and alerts already use. */
@Injectable()
export class AuthMetrics {
  readonly loginAttempts: Counter<'status'>;
  readonly failedLogins: Counter<'reason'>;
  readonly lockouts: Counter;
  readonly signups: Counter;
  readonly emailVerifications: Counter;
  readonly passwordResets: Counter;
  readonly suspiciousActivity: Counter<'type'>;
  readonly loginDuration: Histogram;

  constructor(metrics: MetricsService, sessions: SessionsRepository) {
    this.loginAttempts = metrics.counter({
      name: 'user_login_attempts_total',
      help: 'Sign-in attempts by outcome',
      labelNames: ['status'],
    });
    this.failedLogins = metrics.counter({
      name: 'user_failed_login_attempts_total',
      help: 'Failed sign-ins by reason',
      labelNames: ['reason'],
    });
    this.lockouts = metrics.counter({
      name: 'user_account_lockouts_total',
      help: 'Accounts locked after too many failed sign-ins',
    });
    this.signups = metrics.counter({ name: 'user_signup_total', help: 'Self-registrations' });
    this.emailVerifications = metrics.counter({
      name: 'user_email_verification_total',
      help: 'Email addresses verified',
    });
    this.passwordResets = metrics.counter({
      name: 'user_password_reset_total',
      help: 'Passwords reset through a mailed link',
    });
    this.suspiciousActivity = metrics.counter({
      name: 'user_suspicious_activity_total',
      help: 'Security events such as refresh token reuse',
      labelNames: ['type'],
    });
    this.loginDuration = metrics.histogram({
      name: 'user_login_duration_seconds',
      help: 'Time to answer a sign-in, whatever the outcome',
      buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2],
    });
    metrics.gauge({
      name: 'user_active_sessions',
      help: 'Sessions neither revoked nor expired',
      async collect() {
        this.set(await sessions.countLive());
      },
    });
  }
}
