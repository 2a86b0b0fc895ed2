import { createHash, createHmac, randomBytes } from 'node:crypto';

const FORMAT = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface IssuedRefreshToken {
  token: string;
  family: string;
  hash: string;
}

/**
 * Refresh tokens are `<family>.<secret>`: the family names the session (so any older token of
 * it is recognised as reuse), the secret is 256 random bits. Only SHA-256 hashes are stored.
 */
export function issueRefreshToken(
  family = randomBytes(16).toString('base64url'),
): IssuedRefreshToken {
  const token = `${family}.${randomBytes(32).toString('base64url')}`;
  return { token, family, hash: hashToken(token) };
}

export function refreshTokenFamily(token: string): string | undefined {
  return FORMAT.exec(token)?.[1];
}

/**
 * The token that replaces the one whose hash is `currentHash`, derived with a server key: a
 * second request with the same token (parallel tabs, within the grace window) gets the same
 * successor although only hashes are stored, and a tenant switch can rotate without the token.
 */
export function successorOf(family: string, currentHash: string, key: Buffer): IssuedRefreshToken {
  const secret = createHmac('sha256', key).update(currentHash).digest('base64url');
  const successor = `${family}.${secret}`;
  return { token: successor, family, hash: hashToken(successor) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
