import { Injectable } from '@nestjs/common';
import { AppException } from '../../common/errors/app.exception.js';
import { AuthMetrics } from './auth.metrics.js';
import { SessionsService, type DeviceInfo } from './sessions.service.js';
import { SessionTokens, type SignedIn } from './sign-in/session-tokens.service.js';
import { isUsable } from './sign-in/sign-in-rules.js';

/**
 * `POST /auth/refresh`: a refresh token for new tokens, the account and school checked again
 * (read with the rotation, in its one statement).
 */
@Injectable()
export class TokenRefresh {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: SessionTokens,
    private readonly metrics: AuthMetrics,
  ) {}

  async refresh(refreshToken: string, device: DeviceInfo): Promise<SignedIn> {
    const result = await this.sessions.rotate(refreshToken, device);
    if (result.kind === 'invalid') {
      throw new AppException('AUTH_REFRESH_TOKEN_INVALID');
    }
    if (result.kind === 'reused') {
      this.metrics.suspiciousActivity.inc({ type: 'refresh_token_reused' });
      throw new AppException('AUTH_REFRESH_TOKEN_REUSED');
    }
    const account = result.session.account;
    if (!account?.user.isActive) {
      await this.sessions.revoke({ ids: [result.session.id] }, 'account_disabled');
      throw new AppException('AUTH_REFRESH_TOKEN_INVALID');
    }
    const { user, memberships } = account;
    const membership = memberships.find((m) => m.tenantId === result.session.tenantId);
    if (result.session.tenantId !== null && !isUsable(membership)) {
      throw new AppException('AUTH_TENANT_INACTIVE');
    }
    return this.tokens.issue(user, memberships, result.session, result.refreshToken);
  }
}
