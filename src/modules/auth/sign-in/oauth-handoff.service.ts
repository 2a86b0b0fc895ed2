import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { MembershipsRepository, type MembershipView } from '../../users/memberships.repository.js';
import type { User } from '../../users/user.entity.js';
import { UsersRepository } from '../../users/users.repository.js';
import { AccountLinks } from '../account-links.service.js';
import type { DeviceInfo } from '../sessions.service.js';
import { SessionOpener } from './session-opener.service.js';
import type { SignedIn } from './session-tokens.service.js';
import { SignInFailures } from './sign-in-failures.service.js';
import {
  chooseTenant,
  EXTERNAL_PROVIDERS,
  failureReasonOf,
  isUsable,
  lockedError,
  type ExternalProvider,
  type SignInProvider,
} from './sign-in-rules.js';

const SIGN_IN_CODE_TTL_MS = 60 * 1000;

/**
 * A sign-in through an outside provider, in two halves: the same refusals as a password
 * sign-in, then a single-use code (60 s) the web app swaps for tokens, so no token ever travels
 * in a URL.
 */
@Injectable()
export class OAuthHandoff {
  constructor(
    private readonly links: AccountLinks,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly failures: SignInFailures,
    private readonly opener: SessionOpener,
    private readonly clock: Clock,
  ) {}

  /** The first half, after the provider vouched for `user`: the code for the redirect. */
  async issueSignInCode(
    user: User,
    provider: ExternalProvider,
    preferredTenantId: string | null,
    device: DeviceInfo,
    launch?: Record<string, unknown>,
  ): Promise<string> {
    const memberships = await this.memberships.listForUser(user.id);
    const tenant = this.check(user, memberships, preferredTenantId);
    if (tenant instanceof AppException) {
      return this.failures.refuse(
        { userId: user.id, tried: user.email, device, provider },
        failureReasonOf(tenant),
        tenant,
      );
    }
    return this.links.issue(user.id, 'oauth_code', SIGN_IN_CODE_TTL_MS, {
      context: { provider, tenant_id: tenant, ...(launch ? { lti_launch: launch } : {}) },
    });
  }

  /** The second half: the web app hands the code back and gets the usual token response. */
  async exchangeSignInCode(
    code: string,
    device: DeviceInfo,
  ): Promise<SignedIn & { ltiLaunch?: Record<string, unknown> }> {
    const claimed = await this.links.claim(code, 'oauth_code');
    const user = claimed ? await this.users.findById(claimed.userId) : null;
    if (!claimed || !user) {
      throw new AppException('AUTH_OAUTH_CODE_INVALID');
    }
    const provider = providerOf(claimed.context?.provider);
    const preferred = claimed.context?.tenant_id;
    const memberships = await this.memberships.listForUser(user.id);
    // Checked again: the account or its school may have changed within the minute.
    const tenant = this.check(user, memberships, typeof preferred === 'string' ? preferred : null);
    if (tenant instanceof AppException) {
      throw tenant;
    }
    const signedIn = await this.opener.open(user, memberships, tenant, device, {
      tried: user.email,
      provider,
      rehashed: null,
    });
    const launch = claimed.context?.lti_launch;
    return isRecord(launch) ? { ...signedIn, ltiLaunch: launch } : signedIn;
  }

  private check(
    user: User,
    memberships: MembershipView[],
    preferredTenantId: string | null,
  ): string | null | AppException {
    const now = this.clock.now();
    if (!user.isActive) {
      return new AppException('AUTH_ACCOUNT_DISABLED');
    }
    if (user.lockedUntil && user.lockedUntil > now) {
      return lockedError(user.lockedUntil, now);
    }
    const preferred = memberships.find((m) => m.tenantId === preferredTenantId);
    return chooseTenant(
      user,
      memberships,
      isUsable(preferred) ? (preferredTenantId ?? undefined) : undefined,
    );
  }
}

function providerOf(value: unknown): SignInProvider {
  return EXTERNAL_PROVIDERS.find((provider) => provider === value) ?? 'password';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
