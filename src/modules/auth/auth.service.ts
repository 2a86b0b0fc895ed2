import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../common/auth/principal.js';
import type { TenantRole } from '../../common/auth/roles.js';
import { Clock } from '../../common/clock/clock.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { mapUserProfile } from '../users/dto/user.dto.js';
import { MembershipsRepository, type MembershipView } from '../users/memberships.repository.js';
import { assertPasswordPolicy } from '../users/password-policy.js';
import type { User } from '../users/user.entity.js';
import {
  normalizeEmail,
  UsersRepository,
  type FailedLoginResult,
} from '../users/users.repository.js';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { FailureBudget, type BudgetRule } from '../../common/throttling/failure-budget.js';
import { AccountMails, type RequestedMailKind } from './account-mails.js';
import { AuthMetrics, type LoginFailureReason } from './auth.metrics.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import type { LoginDto, RegisterDto } from './dto/auth-requests.dto.js';
import { LoginFailuresRepository } from './login-failures.repository.js';
import { LoginHistoryRepository } from './login-history.repository.js';
import { OneTimeTokensRepository } from './one-time-tokens.repository.js';
import { PasswordHasher } from './password-hasher.js';
import { SecurityEvents } from './security-events.js';
import { SessionsService, type DeviceInfo, type SessionRef } from './sessions.service.js';
import { AccessTokens } from './tokens/access-tokens.service.js';
import './auth.errors.js';
import { userCreatedEvent } from '../users/user-events.js';

const VERIFICATION_TTL_MS = 24 * 3600 * 1000;
const RESET_TTL_MS = 30 * 60 * 1000;
const SIGN_IN_CODE_TTL_MS = 60 * 1000;
const WELCOME_TTL_MS = 7 * 24 * 3600 * 1000;

export type ExternalProvider = 'google';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly invalidation: CacheInvalidation,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokens,
    private readonly oneTimeTokens: OneTimeTokensRepository,
    private readonly loginHistory: LoginHistoryRepository,
    private readonly outbox: OutboxService,
    private readonly mails: AccountMails,
    private readonly metrics: AuthMetrics,
    private readonly security: SecurityEvents,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    private readonly loginFailures: LoginFailuresRepository,
    private readonly failureBudget: FailureBudget,
  ) {}

  /**
   * Self-registration: always a plain account (no tenant role, no platform role). The answer
   * is the same for a taken address, whose owner gets a notice instead (the same work: one
   * hash, one insert attempt, one queued mail).
   */
  async register(dto: RegisterDto): Promise<void> {
    const passwordHash = await this.hasher.hash(dto.password);
    let registered: { user: User; token: string };
    try {
      registered = await this.dataSource.transaction(async (manager) => {
        const created = await this.users.insert(manager, {
          email: dto.email,
          passwordHash,
          fullName: dto.full_name,
          username: dto.username ?? null,
        });
        const verification = await this.oneTimeTokens.issue(
          manager,
          created.id,
          'email_verification',
          this.clock.now(),
          VERIFICATION_TTL_MS,
        );
        await this.outbox.add(manager, userCreatedEvent(created, { role: 'student' }));
        return { user: created, token: verification };
      });
    } catch (error) {
      if (!(error instanceof AppException && error.code === 'USER_EMAIL_ALREADY_EXISTS')) {
        throw error;
      }
      await this.sendSafely(() => this.mails.sendRegistrationAttempt(normalizeEmail(dto.email)));
      return;
    }
    const { user, token } = registered;
    this.metrics.signups.inc();
    await this.sendSafely(() =>
      this.mails.sendVerification(user.email ?? dto.email, user.fullName, token),
    );
  }

  async verifyEmail(token: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const userId = await this.oneTimeTokens.consume(manager, token, 'email_verification', now);
      if (!userId) {
        throw new AppException('AUTH_ONE_TIME_TOKEN_INVALID');
      }
      await this.users.markEmailVerified(manager, userId, now);
      this.invalidation.changed(manager, 'user', [userId]);
    });
    this.metrics.emailVerifications.inc();
  }

  /** Always accepted (202): whether the address has an account is not revealed. */
  async resendVerification(email: string): Promise<void> {
    await this.sendSafely(() => this.mails.request('verification', normalizeEmail(email)));
  }

  /** Run by the account-mails job, after the request was answered: the lookup happens here. */
  async sendRequestedMail(kind: RequestedMailKind, email: string): Promise<void> {
    if (kind === 'password-reset') {
      await this.sendPasswordReset(email);
    } else {
      await this.sendVerificationAgain(email);
    }
  }

  private async sendVerificationAgain(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user?.email || !user.isActive || user.emailVerifiedAt) {
      return;
    }
    const token = await this.dataSource.transaction((manager) =>
      this.oneTimeTokens.issue(
        manager,
        user.id,
        'email_verification',
        this.clock.now(),
        VERIFICATION_TTL_MS,
      ),
    );
    await this.sendSafely(() =>
      this.mails.sendVerification(user.email ?? '', user.fullName, token),
    );
  }

  async login(dto: LoginDto, device: DeviceInfo): Promise<TokenResponseDto> {
    const stopTimer = this.metrics.loginDuration.startTimer();
    try {
      return await this.attemptLogin(dto, device);
    } finally {
      stopTimer();
    }
  }

  async refresh(refreshToken: string, device: DeviceInfo): Promise<TokenResponseDto> {
    const result = await this.sessions.rotate(refreshToken, device);
    if (result.kind === 'invalid') {
      throw new AppException('AUTH_REFRESH_TOKEN_INVALID');
    }
    if (result.kind === 'reused') {
      this.metrics.suspiciousActivity.inc({ type: 'refresh_token_reused' });
      throw new AppException('AUTH_REFRESH_TOKEN_REUSED');
    }
    const user = await this.users.findById(result.session.userId);
    if (!user?.isActive) {
      await this.sessions.revoke({ ids: [result.session.id] }, 'account_disabled');
      throw new AppException('AUTH_REFRESH_TOKEN_INVALID');
    }
    const memberships = await this.memberships.listForUser(user.id);
    const membership = memberships.find((m) => m.tenantId === result.session.tenantId);
    if (result.session.tenantId !== null && !isUsable(membership)) {
      throw new AppException('AUTH_TENANT_INACTIVE');
    }
    return this.tokenResponse(user, memberships, result.session, result.refreshToken);
  }

  async logout(principal: UserPrincipal): Promise<void> {
    if (!principal.sessionId) {
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      await this.sessions.revoke({ ids: [principal.sessionId ?? ''] }, 'logout', manager);
      await this.outbox.add(manager, {
        type: 'user.logged_out',
        aggregateId: principal.userId,
        payload: { user_id: principal.userId, session_id: principal.sessionId, scope: 'session' },
      });
    });
  }

  async logoutAll(principal: UserPrincipal, device: DeviceInfo): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const ended = await this.sessions.revoke({ userId: principal.userId }, 'logout_all', manager);
      await this.outbox.add(manager, {
        type: 'user.logged_out',
        aggregateId: principal.userId,
        payload: { user_id: principal.userId, session_ids: ended, scope: 'all' },
      });
      await this.security.record(
        'auth.logout_all',
        { userId: principal.userId, tenantId: principal.tenantId },
        device,
        'success',
        {},
        manager,
      );
    });
  }

  async switchTenant(principal: UserPrincipal, tenantId: string): Promise<TokenResponseDto> {
    const user = await this.users.findById(principal.userId);
    if (!user) {
      throw new AppException('AUTH_SESSION_REVOKED');
    }
    const memberships = await this.memberships.listForUser(user.id);
    const target = memberships.find((m) => m.tenantId === tenantId);
    if (!target) {
      throw new AppException('AUTH_NOT_A_MEMBER');
    }
    if (!isUsable(target)) {
      throw new AppException('AUTH_TENANT_INACTIVE');
    }
    const { session, refreshToken } = await this.dataSource.transaction((manager) =>
      this.sessions.switchTenant(manager, principal.sessionId ?? '', tenantId),
    );
    return this.tokenResponse(user, memberships, session, refreshToken);
  }

  /** Always accepted (202); a mail goes out only for an active account (looked up in the job). */
  async forgotPassword(email: string): Promise<void> {
    await this.sendSafely(() => this.mails.request('password-reset', normalizeEmail(email)));
  }

  private async sendPasswordReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user?.email || !user.isActive) {
      return;
    }
    const token = await this.dataSource.transaction((manager) =>
      this.oneTimeTokens.issue(manager, user.id, 'password_reset', this.clock.now(), RESET_TTL_MS),
    );
    await this.sendSafely(() =>
      this.mails.sendPasswordReset(user.email ?? '', user.fullName, token),
    );
  }

  /** A welcome mail for an account made for someone: its link sets their own password (7 days). */
  async sendWelcome(userId: string, schoolName: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user?.email) {
      return;
    }
    const token = await this.dataSource.transaction((manager) =>
      this.oneTimeTokens.issue(
        manager,
        user.id,
        'password_reset',
        this.clock.now(),
        WELCOME_TTL_MS,
      ),
    );
    await this.sendSafely(() =>
      this.mails.sendWelcome(user.email ?? '', user.fullName, schoolName, token),
    );
  }

  async resetPassword(token: string, newPassword: string, device: DeviceInfo): Promise<void> {
    const passwordHash = await this.hasher.hash(newPassword);
    const userId = await this.dataSource.transaction(async (manager) => {
      const now = this.clock.now();
      const owner = await this.oneTimeTokens.consume(manager, token, 'password_reset', now);
      const user = owner ? await this.users.lockById(manager, owner) : null;
      if (!user || user.deletedAt) {
        throw new AppException('AUTH_ONE_TIME_TOKEN_INVALID');
      }
      // Checked before anything is written: a refused password leaves the link usable.
      assertPasswordPolicy('new_password', newPassword, user.email);
      await this.users.setPassword(manager, user.id, passwordHash);
      // Following the link proves the address is theirs.
      await this.users.markEmailVerified(manager, user.id, now);
      await this.sessions.revoke({ userId: user.id }, 'password_reset', manager);
      await this.outbox.add(manager, passwordChangedEvent(user.id, 'reset'));
      await this.security.record(
        'auth.password_reset',
        { userId: user.id },
        device,
        'success',
        {},
        manager,
      );
      return user.id;
    });
    this.metrics.passwordResets.inc();
  }

  async changePassword(
    principal: UserPrincipal,
    currentPassword: string,
    newPassword: string,
    device: DeviceInfo,
  ): Promise<void> {
    const user = await this.users.findById(principal.userId);
    if (!user) {
      throw new AppException('AUTH_SESSION_REVOKED');
    }
    const matches = user.passwordHash
      ? await this.hasher.verify(user.passwordHash, currentPassword)
      : false;
    if (!matches) {
      throw new AppException('USER_PASSWORD_INCORRECT');
    }
    assertPasswordPolicy('new_password', newPassword, user.email);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.dataSource.transaction(async (manager) => {
      await this.users.setPassword(manager, user.id, passwordHash);
      await this.sessions.revoke(
        { userId: user.id, exceptId: principal.sessionId },
        'password_changed',
        manager,
      );
      await this.outbox.add(manager, passwordChangedEvent(user.id, 'change'));
      await this.security.record(
        'auth.password_changed',
        { userId: user.id, tenantId: principal.tenantId },
        device,
        'success',
        {},
        manager,
      );
    });
  }

  private async attemptLogin(dto: LoginDto, device: DeviceInfo): Promise<TokenResponseDto> {
    // Email for most; tenant + username for pupils without an address. `tried` is normalised
    // as the lookups do, so a change of case is the same identifier for every count.
    const email = dto.email !== undefined ? normalizeEmail(dto.email) : null;
    const tried = email ?? `${dto.tenant_id ?? ''}/${(dto.username ?? '').toLowerCase()}`;
    const identifier = this.loginFailures.hashOf(tried);
    const budgetKey = `ip:${device.ip ?? ''}|account:${tried}`;
    const now = this.clock.now();
    // Both reads for every attempt: the same work whether or not the account exists.
    const [user, identifierLock] = await Promise.all([
      email !== null
        ? this.users.findByEmail(email)
        : this.users.findByTenantUsername(dto.tenant_id ?? '', dto.username ?? ''),
      this.loginFailures.lockedUntil(identifier, now),
    ]);
    const fail = async (
      reason: LoginFailureReason,
      error: AppException,
      knownUser: User | null = user,
    ): Promise<never> => {
      this.metrics.loginAttempts.inc({ status: 'failed' });
      this.metrics.failedLogins.inc({ reason });
      await this.loginHistory.record({
        userId: knownUser?.id ?? null,
        emailTried: tried,
        ip: device.ip,
        userAgent: device.userAgent,
        success: false,
        failureReason: reason,
        at: this.clock.now(),
      });
      await this.security.record(
        'auth.login_failed',
        { userId: knownUser?.id ?? null },
        device,
        'denied',
        { reason, identifier: tried },
      );
      // Only failures spend the login budget; a refusal for a lock costs no hash and is not one.
      if (reason !== 'account_locked') {
        await this.failureBudget.spend(this.loginBudget(), budgetKey);
      }
      throw error;
    };

    // An account with a password counts its own failures; any other identifier (unknown, or
    // an account that signs in with Google or its LMS) counts in login_failures: both lock alike.
    const lockedUntil = user?.passwordHash ? user.lockedUntil : identifierLock;
    if (lockedUntil && lockedUntil > now) {
      return fail('account_locked', lockedError(lockedUntil, now));
    }
    // After the lock check: a locked account hears that it is locked, not "retry in 60 s".
    await this.failureBudget.assertAvailable(this.loginBudget(), budgetKey);
    if (!user?.passwordHash) {
      // Same work as a wrong password, so timing does not tell whether the address exists.
      await this.hasher.verifyAgainstNothing(dto.password);
      const result = await this.loginFailures.recordFailure(
        identifier,
        now,
        this.config.get('MAX_LOGIN_ATTEMPTS'),
        this.config.get('LOCKOUT_MINUTES'),
      );
      if (result.justLocked) {
        this.metrics.lockouts.inc();
      }
      return fail(user ? 'no_password' : 'user_not_found', failedLoginError(result, now));
    }
    if (!(await this.hasher.verify(user.passwordHash, dto.password))) {
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
      return fail('invalid_password', failedLoginError(result, now));
    }
    // From here the password is right, so precise refusals reveal nothing new.
    if (!user.isActive) {
      return fail('account_disabled', new AppException('AUTH_ACCOUNT_DISABLED'));
    }
    if (user.email !== null && !user.emailVerifiedAt) {
      return fail('email_not_verified', new AppException('AUTH_EMAIL_NOT_VERIFIED'));
    }
    const memberships = await this.memberships.listForUser(user.id);
    const tenant = this.chooseTenant(user, memberships, dto.tenant_id);
    if (tenant instanceof AppException) {
      const reason = tenant.code === 'AUTH_NOT_A_MEMBER' ? 'not_a_member' : 'tenant_inactive';
      return fail(reason, tenant);
    }

    const rehashed = this.hasher.needsRehash(user.passwordHash)
      ? await this.hasher.hash(dto.password)
      : null;
    return this.openSession(user, memberships, tenant, device, {
      tried,
      provider: 'password',
      rehashed,
    });
  }

  /**
   * The first half of a sign-in through an outside provider: the same refusals as a password
   * sign-in, then a single-use code (60 s) the web app swaps for tokens, so no token ever
   * travels in a URL.
   */
  async issueSignInCode(
    user: User,
    provider: ExternalProvider,
    preferredTenantId: string | null,
    device: DeviceInfo,
  ): Promise<string> {
    const now = this.clock.now();
    const memberships = await this.memberships.listForUser(user.id);
    const tenant = this.checkExternalSignIn(user, memberships, preferredTenantId, now);
    if (tenant instanceof AppException) {
      this.metrics.loginAttempts.inc({ status: 'failed' });
      await this.loginHistory.record({
        userId: user.id,
        emailTried: user.email,
        ip: device.ip,
        userAgent: device.userAgent,
        success: false,
        failureReason: failureReasonOf(tenant),
        provider,
        at: now,
      });
      await this.security.record('auth.login_failed', { userId: user.id }, device, 'denied', {
        reason: failureReasonOf(tenant),
        provider,
      });
      throw tenant;
    }
    return this.dataSource.transaction((manager) =>
      this.oneTimeTokens.issue(manager, user.id, 'oauth_code', now, SIGN_IN_CODE_TTL_MS, {
        provider,
        tenant_id: tenant,
      }),
    );
  }

  /** The second half: the web app hands the code back and gets the usual token response. */
  async exchangeSignInCode(code: string, device: DeviceInfo): Promise<TokenResponseDto> {
    const now = this.clock.now();
    const claimed = await this.dataSource.transaction((manager) =>
      this.oneTimeTokens.claim(manager, code, 'oauth_code', now),
    );
    const user = claimed ? await this.users.findById(claimed.userId) : null;
    if (!claimed || !user) {
      throw new AppException('AUTH_OAUTH_CODE_INVALID');
    }
    const provider = claimed.context?.provider === 'google' ? 'google' : 'password';
    const preferred = claimed.context?.tenant_id;
    const memberships = await this.memberships.listForUser(user.id);
    // Checked again: the account or its school may have changed within the minute.
    const tenant = this.checkExternalSignIn(
      user,
      memberships,
      typeof preferred === 'string' ? preferred : null,
      now,
    );
    if (tenant instanceof AppException) {
      throw tenant;
    }
    return this.openSession(user, memberships, tenant, device, {
      tried: user.email,
      provider,
      rehashed: null,
    });
  }

  private checkExternalSignIn(
    user: User,
    memberships: MembershipView[],
    preferredTenantId: string | null,
    now: Date,
  ): string | null | AppException {
    if (!user.isActive) {
      return new AppException('AUTH_ACCOUNT_DISABLED');
    }
    if (user.lockedUntil && user.lockedUntil > now) {
      return lockedError(user.lockedUntil, now);
    }
    const preferred = memberships.find((m) => m.tenantId === preferredTenantId);
    return this.chooseTenant(
      user,
      memberships,
      isUsable(preferred) ? (preferredTenantId ?? undefined) : undefined,
    );
  }

  private async openSession(
    user: User,
    memberships: MembershipView[],
    tenant: string | null,
    device: DeviceInfo,
    how: { tried: string | null; provider: 'password' | ExternalProvider; rehashed: string | null },
  ): Promise<TokenResponseDto> {
    const now = this.clock.now();
    const { session, refreshToken } = await this.dataSource.transaction(async (manager) => {
      // The UPDATE also locks the user's row: concurrent sign-ins count sessions in turn.
      await this.users.recordSuccessfulLogin(manager, user.id, now, how.rehashed);
      const started = await this.sessions.start(manager, user.id, tenant, device);
      await this.loginHistory.record(
        {
          userId: user.id,
          emailTried: how.tried,
          ip: device.ip,
          userAgent: device.userAgent,
          success: true,
          failureReason: null,
          provider: how.provider,
          at: now,
        },
        manager,
      );
      await this.outbox.add(manager, loggedInEvent(user, started.session, how.provider));
      return started;
    });
    this.metrics.loginAttempts.inc({ status: 'success' });
    return this.tokenResponse({ ...user, lastLoginAt: now }, memberships, session, refreshToken);
  }

  /** Failed sign-ins per client IP + identifier (RATE_LIMIT_LOGIN_*); successes are free. */
  private loginBudget(): BudgetRule {
    return {
      name: 'login',
      limit: this.config.get('RATE_LIMIT_LOGIN_LIMIT'),
      ttlMs: this.config.get('RATE_LIMIT_LOGIN_TTL_SECONDS') * 1000,
    };
  }

  /** The tenant a sign-in lands in: the one asked for, else the first usable membership. */
  private chooseTenant(
    user: User,
    memberships: MembershipView[],
    requested: string | undefined,
  ): string | null | AppException {
    if (requested !== undefined) {
      const membership = memberships.find((m) => m.tenantId === requested);
      if (!membership) {
        return new AppException('AUTH_NOT_A_MEMBER');
      }
      return isUsable(membership) ? membership.tenantId : new AppException('AUTH_TENANT_INACTIVE');
    }
    const usable = memberships.find(isUsable);
    if (usable) {
      return usable.tenantId;
    }
    // Members of schools that are all inactive may not sign in; super admins work platform-wide.
    if (memberships.length > 0 && user.platformRole !== 'super_admin') {
      return new AppException('AUTH_TENANT_INACTIVE');
    }
    return null;
  }

  private tokenResponse(
    user: User,
    memberships: MembershipView[],
    session: SessionRef,
    refreshToken: string,
  ): TokenResponseDto {
    const role: TenantRole | null =
      memberships.find((m) => m.tenantId === session.tenantId)?.role ?? null;
    return {
      access_token: this.accessTokens.sign({
        userId: user.id,
        sessionId: session.id,
        tenantId: session.tenantId,
        role,
        platformRole: user.platformRole,
      }),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.accessTokens.ttlSeconds,
      user: mapUserProfile(user, memberships),
    };
  }

  /** The change is committed; a queue hiccup must not turn it into an error (resend exists). */
  private async sendSafely(send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (error) {
      this.logger.error({ err: error }, 'could not queue an account mail');
    }
  }
}

function isUsable(membership: MembershipView | undefined): boolean {
  return membership?.status === 'active' && membership.tenantStatus === 'active';
}

/** The lock when this failure set it, else the plain refusal (a wrong password or unknown name). */
function failedLoginError(result: FailedLoginResult, now: Date): AppException {
  return result.justLocked && result.lockedUntil
    ? lockedError(result.lockedUntil, now)
    : new AppException('AUTH_INVALID_CREDENTIALS');
}

function lockedError(lockedUntil: Date, now: Date): AppException {
  const retryAfter = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  return new AppException(
    'AUTH_ACCOUNT_LOCKED',
    undefined,
    { locked_until: lockedUntil.toISOString() },
    { 'Retry-After': String(retryAfter) },
  );
}

function loggedInEvent(user: User, session: SessionRef, provider: string) {
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

function failureReasonOf(error: AppException): LoginFailureReason {
  switch (error.code) {
    case 'AUTH_ACCOUNT_DISABLED':
      return 'account_disabled';
    case 'AUTH_ACCOUNT_LOCKED':
      return 'account_locked';
    case 'AUTH_NOT_A_MEMBER':
      return 'not_a_member';
    default:
      return 'tenant_inactive';
  }
}

function passwordChangedEvent(userId: string, via: 'reset' | 'change') {
  return {
    type: 'user.password_changed' as const,
    aggregateId: userId,
    payload: { user_id: userId, via },
  };
}
