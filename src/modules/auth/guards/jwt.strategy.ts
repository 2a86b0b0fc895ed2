import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { SessionState } from '../session-state.service.js';
import type { AccessTokenClaims } from '../tokens/access-tokens.service.js';
import { JWT_ALGORITHMS, SigningKeys } from '../tokens/signing-keys.service.js';
import { VerifiedTokens } from './verified-tokens.js';

export const JWT_STRATEGY = 'jwt';

/** `kid` and `alg` of the (not yet trusted) header. */
function headerOf(rawToken: string): { kid?: unknown; alg?: unknown } {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(rawToken.split('.')[0] ?? '', 'base64url').toString('utf8'),
    );
    return typeof header === 'object' && header !== null ? header : {};
  } catch {
    return {};
  }
}

/**
 * passport-jwt with our keys: only ES256 and RS256 are accepted (so `alg: none` and HMAC tricks
 * fail), and each key only with its own algorithm (the header's `alg` must be the one of the key
 * its `kid` names); issuer and audience must match, and the session behind the token must still
 * be live.
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
      algorithms: [...JWT_ALGORITHMS],
      issuer: config.get('JWT_ISSUER'),
      audience: config.get('JWT_AUDIENCE'),
      secretOrKeyProvider: (
        _request: unknown,
        rawToken: string,
        done: (error: Error | null, key?: string | Buffer) => void,
      ) => {
        const { kid, alg } = headerOf(rawToken);
        const verifying = typeof kid === 'string' ? keys.verifyingKey(kid) : undefined;
        if (!verifying) {
          done(new Error('unknown signing key'));
          return;
        }
        if (alg !== verifying.alg) {
          done(new Error('algorithm does not match the signing key'));
          return;
        }
        done(null, verifying.key as unknown as Buffer);
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
