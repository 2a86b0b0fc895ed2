import { describe, expect, it } from '@jest/globals';
import type { AccessTokenClaims } from '../tokens/access-tokens.service.js';
import { VerifiedTokens } from './verified-tokens.js';

const claims = (exp: number) => ({ sub: 'u', sid: 's', exp }) as AccessTokenClaims;

describe('VerifiedTokens', () => {
  it('should return a verified token until it expires, and only for the exact text', () => {
    const cache = new VerifiedTokens();
    cache.remember('a.b.c', claims(100));
    expect(cache.get('a.b.c', 99_000)?.sub).toBe('u');
    expect(cache.get('a.b.C', 99_000)).toBeUndefined();
    expect(cache.get('a.b.c', 100_000)).toBeUndefined();
    expect(cache.get('a.b.c', 1)).toBeUndefined();
  });
});
