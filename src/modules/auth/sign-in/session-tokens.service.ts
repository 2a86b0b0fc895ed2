import { Injectable } from '@nestjs/common';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import type { TenantRole } from '../../../common/auth/roles.js';
import { mapUserProfile } from '../../users/dto/user.dto.js';
import type { MembershipView } from '../../users/memberships.repository.js';
import type { User } from '../../users/user.entity.js';
import type { TokenResponseDto } from '../dto/token-response.dto.js';
import type { SessionRef } from '../sessions.service.js';
import { AccessTokens } from '../tokens/access-tokens.service.js';

/** What a sign-in or refresh hands back: the tokens, and who they speak for. */
export interface SignedIn {
  tokens: TokenResponseDto;
  principal: UserPrincipal;
}

/** The token response for a session just opened, rotated or moved. */
@Injectable()
export class SessionTokens {
  constructor(private readonly accessTokens: AccessTokens) {}

  issue(
    user: User,
    memberships: MembershipView[],
    session: SessionRef,
    refreshToken: string,
  ): SignedIn {
    const role: TenantRole | null =
      memberships.find((m) => m.tenantId === session.tenantId)?.role ?? null;
    const principal: UserPrincipal = {
      kind: 'user',
      userId: user.id,
      sessionId: session.id,
      tenantId: session.tenantId,
      role,
      platformRole: user.platformRole,
    };
    return {
      principal,
      tokens: {
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
      },
    };
  }
}
