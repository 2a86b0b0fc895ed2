import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { SessionState } from '../session-state.service.js';
import type { AccessTokenClaims } from '../tokens/access-tokens.service.js';
import { JWT_ALGORITHM, SigningKeys } from '../tokens/signing-keys.service.js';
import { VerifiedTokens } from './verified-tokens.js';

export const JWT_STRATEGY = 'jwt';

/** The key named by the token's `kid`, read from the (not yet trusted) header. */
function kidOf(rawToken: string): string | undefined {
  try {
    const header = JSON.parse(
      Buffer.from(rawToken.split('.')[0] ?? '', 'base64url').toString('utf8'),
    ) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * passport-jwt with our RS256 keys: only RS256 is accepted (so `alg: none` and HMAC tricks
 * fail), issuer and audience must match, and the session behind the token must still be live.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    keys: SigningKeys,
    config: AppConfigService,
    private readonly sessionState: SessionState,
    private readonly verified: VerifiedTokens,
  ) {
    super({
      passReqToCallback: true,
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms: [JWT_ALGORITHM],
      issuer: config.get('JWT_ISSUER'),
      audience: config.get('JWT_AUDIENCE'),
      secretOrKeyProvider: (
        _request: unknown,
        rawToken: string,
        done: (error: Error | null, key?: string | Buffer) => void,
      ) => {
        const kid = kidOf(rawToken);
        const key = kid ? keys.publicKey(kid) : undefined;
        if (!key) {
          done(new Error('unknown signing key'));
          return;
        }
        done(null, key as unknown as Buffer);
      },
    });
  }

  validate(request: FastifyRequest, claims: AccessTokenClaims): Promise<UserPrincipal> {
    const token = bearerToken(request);
    if (token) {
      this.verified.remember(token, claims);
    }
    return this.sessionState.principalFor(claims);
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header || header.length < 8 || header.slice(0, 7).toLowerCase() !== 'bearer ') {
    return undefined;
  }
  return header.slice(7).trim();
}
