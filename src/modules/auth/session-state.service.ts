import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { TtlCache } from '../../common/cache/ttl-cache.js';
import { Clock } from '../../common/clock/clock.js';
import { AppException } from '../../common/errors/app.exception.js';
import { SessionsRepository, type SessionStateRow } from './sessions.repository.js';
import type { AccessTokenClaims } from './tokens/access-tokens.service.js';

/**
 * The longest another instance keeps accepting an access token after its session was revoked
 * or its user deactivated when it missed the news (no Redis, or a lost message); the instance
 * that made the change drops its copy as the change commits.
 */
export const SESSION_STATE_TTL_MS = 5000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Checks, on every authenticated request, that the token's session is live, its user active and
 * its tenant membership valid; the role comes from the membership, not the (up to 15 min old)
 * token.
 */
@Injectable()
export class SessionState {
  // Keyed by session; a change to its user (role, account, password) or tenant drops it too.
  private readonly cache = new TtlCache<SessionStateRow | undefined>(SESSION_STATE_TTL_MS, {
    tagsOf: (row) =>
      row ? [`user:${row.user_id}`, ...(row.tenant_id ? [`tenant:${row.tenant_id}`] : [])] : [],
  });

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    invalidation: CacheInvalidation,
  ) {
    invalidation.on('session', (ids) => this.cache.drop(ids));
    invalidation.on('user', (ids) => this.cache.dropTagged(ids.map((id) => `user:${id}`)));
    invalidation.on('tenant', (ids) => this.cache.dropTagged(ids.map((id) => `tenant:${id}`)));
  }

  async principalFor(claims: AccessTokenClaims): Promise<UserPrincipal> {
    // Signed by us, so well-formed unless a key leaked; still never let a bad claim reach SQL.
    if (!UUID.test(String(claims.sid)) || !UUID.test(String(claims.sub))) {
      throw new AppException('AUTH_TOKEN_INVALID');
    }
    const state = await this.cache.get(claims.sid, () =>
      this.sessions.loadState(claims.sid, this.clock.now()),
    );
    if (!state || state.user_id !== claims.sub || state.ended) {
      throw new AppException('AUTH_SESSION_REVOKED');
    }
    if (!state.user_active) {
      throw new AppException('AUTH_ACCOUNT_DISABLED');
    }
    if (state.tenant_id !== claims.tid) {
      // The session switched tenant: this token speaks for the old one.
      throw new AppException('AUTH_TOKEN_INVALID', 'The access token is for another tenant');
    }
    if (state.tenant_id !== null) {
      if (state.tenant_status !== 'active') {
        throw new AppException('AUTH_TENANT_INACTIVE');
      }
      if (state.membership_status !== 'active') {
        throw new AppException('AUTH_NOT_A_MEMBER');
      }
    }
    return {
      kind: 'user',
      userId: state.user_id,
      sessionId: state.session_id,
      tenantId: state.tenant_id,
      role: state.role,
      platformRole: state.platform_role,
      ...(state.impersonator_id ? { actorUserId: state.impersonator_id } : {}),
      // Support acting as the user is not asked to change the user's password.
      ...(state.must_change_password && !state.impersonator_id
        ? { passwordChangeRequired: true }
        : {}),
    };
  }
}
