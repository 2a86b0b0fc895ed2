import { AppException } from '../../../common/errors/app.exception.js';
import type { AppErrorCode } from '../../../common/errors/error-codes.js';
import { IDENTITY_PROVIDERS } from '../../identities/identity.entity.js';
import type { MembershipView } from '../../users/memberships.repository.js';
import type { User } from '../../users/user.entity.js';
import type { FailedLoginResult } from '../../users/users.repository.js';
import type { LoginFailureReason } from '../auth.metrics.js';

/** Every way in besides a password: the sign-in providers, and LTI launches. */
export const EXTERNAL_PROVIDERS = [...IDENTITY_PROVIDERS, 'lti'] as const;
export type ExternalProvider = (typeof EXTERNAL_PROVIDERS)[number];
export type SignInProvider = 'password' | ExternalProvider;

/** A membership one may work in: active, in an active school. */
export function isUsable(membership: MembershipView | undefined): boolean {
  return membership?.status === 'active' && membership.tenantStatus === 'active';
}

/** The tenant a sign-in lands in: the one asked for, else the first usable membership. */
export function chooseTenant(
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

/** The lock when this failure set it, else the plain refusal (a wrong password or unknown name). */
export function failedLoginError(result: FailedLoginResult, now: Date): AppException {
  return result.justLocked && result.lockedUntil
    ? lockedError(result.lockedUntil, now)
    : new AppException('AUTH_INVALID_CREDENTIALS');
}

export function lockedError(lockedUntil: Date, now: Date): AppException {
  const retryAfter = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  return new AppException(
    'AUTH_ACCOUNT_LOCKED',
    undefined,
    { locked_until: lockedUntil.toISOString() },
    { 'Retry-After': String(retryAfter) },
  );
}

const FAILURE_REASONS: Partial<Record<AppErrorCode, LoginFailureReason>> = {
  AUTH_ACCOUNT_DISABLED: 'account_disabled',
  AUTH_ACCOUNT_LOCKED: 'account_locked',
  AUTH_NOT_A_MEMBER: 'not_a_member',
};

/** The reason a refusal is recorded with (login history, metrics). */
export function failureReasonOf(error: AppException): LoginFailureReason {
  return FAILURE_REASONS[error.code] ?? 'tenant_inactive';
}
