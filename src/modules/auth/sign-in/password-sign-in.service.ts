import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { normalizeEmail, UsersRepository } from '../../users/users.repository.js';
import { AuthMetrics } from '../auth.metrics.js';
import type { LoginDto } from '../dto/auth-requests.dto.js';
import { PasswordHasher } from '../password-hasher.js';
import type { DeviceInfo } from '../sessions.service.js';
import { Lockouts } from './lockouts.service.js';
import { SessionOpener } from './session-opener.service.js';
import type { SignedIn } from './session-tokens.service.js';
import { SignInFailures, type SignInAttempt } from './sign-in-failures.service.js';
import { chooseTenant, failedLoginError, failureReasonOf, lockedError } from './sign-in-rules.js';

/**
 * `POST /auth/login`: email (or tenant + username, for pupils without an address) and password.
 * An unknown identifier and a wrong password cost the same work and get the same answer.
 */
@Injectable()
export class PasswordSignIn {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly lockouts: Lockouts,
    private readonly failures: SignInFailures,
    private readonly opener: SessionOpener,
    private readonly metrics: AuthMetrics,
    private readonly clock: Clock,
  ) {}

  async signIn(dto: LoginDto, device: DeviceInfo): Promise<SignedIn> {
    const stopTimer = this.metrics.loginDuration.startTimer();
    try {
      return await this.attempt(dto, device);
    } finally {
      stopTimer();
    }
  }

  private async attempt(dto: LoginDto, device: DeviceInfo): Promise<SignedIn> {
    // `tried` is normalised as the lookups do, so a change of case is the same identifier for
    // every count.
    const email = dto.email !== undefined ? normalizeEmail(dto.email) : null;
    const tried = email ?? `${dto.tenant_id ?? ''}/${(dto.username ?? '').toLowerCase()}`;
    const identifier = this.lockouts.identifierKey(tried);
    const budgetKey = `ip:${device.ip ?? ''}|account:${tried}`;
    const now = this.clock.now();
    // Both reads for every attempt: the same work whether or not the account exists. The
    // account comes with its memberships, which the token needs if the password is right.
    const [account, identifierLock] = await Promise.all([
      email !== null
        ? this.users.findAccountByEmail(email)
        : this.users.findAccountByTenantUsername(dto.tenant_id ?? '', dto.username ?? ''),
      this.lockouts.identifierLockedUntil(identifier, now),
    ]);
    const user = account?.user;
    const attempt: SignInAttempt = { userId: user?.id ?? null, tried, device, budgetKey };

    const lockedUntil = user?.passwordHash ? user.lockedUntil : identifierLock;
    if (lockedUntil && lockedUntil > now) {
      return this.failures.refuse(attempt, 'account_locked', lockedError(lockedUntil, now));
    }
    // After the lock check: a locked account hears that it is locked, not "retry in 60 s".
    await this.failures.assertBudget(budgetKey);
    if (!user?.passwordHash) {
      // Same work as a wrong password, so timing does not tell whether the address exists.
      await this.hasher.verifyAgainstNothing(dto.password);
      const result = await this.lockouts.identifierFailed(identifier, now);
      return this.failures.refuse(
        attempt,
        user ? 'no_password' : 'user_not_found',
        failedLoginError(result, now),
      );
    }
    if (!(await this.hasher.verify(user.passwordHash, dto.password))) {
      const result = await this.lockouts.accountFailed(user, device, now);
      return this.failures.refuse(attempt, 'invalid_password', failedLoginError(result, now));
    }
    // From here the password is right, so precise refusals reveal nothing new.
    if (!user.isActive) {
      return this.failures.refuse(
        attempt,
        'account_disabled',
        new AppException('AUTH_ACCOUNT_DISABLED'),
      );
    }
    // Accounts a school made sign in with the password it gave them before proving the address.
    if (user.email !== null && !user.emailVerifiedAt && user.managedByTenantId === null) {
      return this.failures.refuse(
        attempt,
        'email_not_verified',
        new AppException('AUTH_EMAIL_NOT_VERIFIED'),
      );
    }
    const memberships = account?.memberships ?? [];
    const tenant = chooseTenant(user, memberships, dto.tenant_id);
    if (tenant instanceof AppException) {
      return this.failures.refuse(attempt, failureReasonOf(tenant), tenant);
    }
    const rehashed = this.hasher.needsRehash(user.passwordHash)
      ? await this.hasher.hash(dto.password)
      : null;
    return this.opener.open(user, memberships, tenant, device, {
      tried,
      provider: 'password',
      rehashed,
    });
  }
}
