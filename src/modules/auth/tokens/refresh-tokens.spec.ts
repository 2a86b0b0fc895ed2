import { describe, expect, it } from '@jest/globals';
import { hashToken, issueRefreshToken, refreshTokenFamily, successorOf } from './refresh-tokens.js';

describe('refresh tokens', () => {
  const key = Buffer.alloc(32, 7);

  it('should keep the family across rotations and derive one successor per token', () => {
    const first = issueRefreshToken();
    const next = successorOf(first.family, first.hash, key);
    expect(refreshTokenFamily(next.token)).toBe(first.family);
    expect(next.token).not.toBe(first.token);
    expect(successorOf(first.family, hashToken(first.token), key)).toEqual(next);
    expect(successorOf(next.family, next.hash, key).token).not.toBe(next.token);
  });

  it('should not let anyone without the key derive the successor', () => {
    const first = issueRefreshToken();
    expect(successorOf(first.family, first.hash, Buffer.alloc(32, 8)).token).not.toBe(
      successorOf(first.family, first.hash, key).token,
    );
  });

  it('should refuse malformed tokens and store only hashes', () => {
    expect(refreshTokenFamily('nope')).toBeUndefined();
    expect(refreshTokenFamily(`${'a'.repeat(22)}.${'b'.repeat(42)}`)).toBeUndefined();
    const issued = issueRefreshToken();
    expect(issued.hash).toBe(hashToken(issued.token));
    expect(issued.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
