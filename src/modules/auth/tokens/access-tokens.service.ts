import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import type { PlatformRole, TenantRole } from '../../../common/auth/roles.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { SigningKeys } from './signing-keys.service.js';

/** The claims of our access tokens. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  tid: string | null;
  role: TenantRole | null;
  prole: PlatformRole | null;
  act?: { sub: string };
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
}

export interface AccessTokenSubject {
  userId: string;
  sessionId: string;
  tenantId: string | null;
  role: TenantRole | null;
  platformRole: PlatformRole | null;
  /** Impersonation: the real person acting (RFC 8693 `act`), and a shorter lifetime. */
  actorId?: string;
  ttlSeconds?: number;
}

@Injectable()
export class AccessTokens {
  readonly ttlSeconds: number;

  constructor(
    private readonly keys: SigningKeys,
    private readonly config: AppConfigService,
  ) {
    this.ttlSeconds = config.get('ACCESS_TOKEN_TTL_SECONDS');
  }

  sign(subject: AccessTokenSubject): string {
    return jwt.sign(
      {
        sid: subject.sessionId,
        tid: subject.tenantId,
        role: subject.role,
        prole: subject.platformRole,
        ...(subject.actorId ? { act: { sub: subject.actorId } } : {}),
      },
      this.keys.signingKey,
      {
        algorithm: this.keys.signingAlgorithm,
        keyid: this.keys.signingKid,
        subject: subject.userId,
        jwtid: randomUUID(),
        expiresIn: subject.ttlSeconds ?? this.ttlSeconds,
        issuer: this.config.get('JWT_ISSUER'),
        audience: this.config.get('JWT_AUDIENCE'),
      },
    );
  }
}
