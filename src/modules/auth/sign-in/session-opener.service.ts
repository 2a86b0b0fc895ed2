import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SignInSeats } from '../../../common/auth/sign-in-seats.js';
import { Clock } from '../../../common/clock/clock.js';
import { OutboxService } from '../../../common/events/outbox.service.js';
import type { MembershipView } from '../../users/memberships.repository.js';
import type { User } from '../../users/user.entity.js';
import { UsersRepository } from '../../users/users.repository.js';
import { AuthMetrics } from '../auth.metrics.js';
import { LoginHistoryRepository } from '../login-history.repository.js';
import { SessionsService, type DeviceInfo, type SessionRef } from '../sessions.service.js';
import { SessionTokens, type SignedIn } from './session-tokens.service.js';
import type { SignInProvider } from './sign-in-rules.js';

export interface SignInMethod {
  /** The identifier as typed (normalised), for the login history. */
  tried: string | null;
  provider: SignInProvider;
  /** A new hash of the password, when the stored one uses outdated parameters. */
  rehashed: string | null;
}

/** The last step of every sign-in that passed its checks: the session, its history, its event. */
@Injectable()
export class SessionOpener {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly loginHistory: LoginHistoryRepository,
    private readonly outbox: OutboxService,
    private readonly tokens: SessionTokens,
    private readonly metrics: AuthMetrics,
    private readonly seats: SignInSeats,
    private readonly clock: Clock,
  ) {}

  async open(
    user: User,
    memberships: MembershipView[],
    tenant: string | null,
    device: DeviceInfo,
    how: SignInMethod,
  ): Promise<SignedIn> {
    const now = this.clock.now();
    // Two statements: the UPDATE locks the user's row, so concurrent sign-ins count sessions in
    // turn; the session, its history and its event then go in one.
    const { session, refreshToken } = await this.dataSource.transaction(async (manager) => {
      await this.users.recordSuccessfulLogin(manager, user.id, now, how.rehashed);
      return this.sessions.start(manager, user.id, tenant, device, (started) => [
        this.loginHistory.insertOf({
          userId: user.id,
          emailTried: how.tried,
          ip: device.ip,
          userAgent: device.userAgent,
          success: true,
          failureReason: null,
          provider: how.provider,
          at: now,
        }),
        // Also drops the cached profile (its last sign-in changed), once this commits.
        this.outbox.addAlong(manager, loggedInEvent(user, started, how.provider)),
      ]);
    });
    this.metrics.loginAttempts.inc({ status: 'success' });
    // After the sign-in committed: a seat the school hands out never holds it up or fails it.
    const membership = memberships.find((m) => m.tenantId === tenant);
    if (tenant && membership?.role === 'student' && membership.status === 'active') {
      await this.seats.claim(user.id, tenant);
    }
    return this.tokens.issue({ ...user, lastLoginAt: now }, memberships, session, refreshToken);
  }
}

function loggedInEvent(user: User, session: SessionRef, provider: SignInProvider) {
  return {
    type: 'user.logged_in' as const,
    aggregateId: user.id,
    payload: {
      user_id: user.id,
      email: user.email,
      session_id: session.id,
      tenant_id: session.tenantId,
      provider,
    },
  };
}
