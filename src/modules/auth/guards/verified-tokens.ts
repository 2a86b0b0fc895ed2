import { Injectable } from '@nestjs/common';
import type { AccessTokenClaims } from '../tokens/access-tokens.service.js';

const MAX_ENTRIES = 20_000;

/**
 * Access tokens whose signature, issuer, audience and expiry passport-jwt has already checked,
 * keyed by the exact token text: a client sends the same token for up to 15 minutes, and the
 * RSA verification was the largest cost of an authenticated request. Any changed byte misses
 * and is verified in full; an entry is dropped when its token expires.
 */
@Injectable()
export class VerifiedTokens {
  private readonly entries = new Map<string, AccessTokenClaims>();

  get(token: string, nowMs = Date.now()): AccessTokenClaims | undefined {
    const claims = this.entries.get(token);
    if (claims && claims.exp * 1000 <= nowMs) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  remember(token: string, claims: AccessTokenClaims): void {
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    this.entries.set(token, claims);
  }
}
