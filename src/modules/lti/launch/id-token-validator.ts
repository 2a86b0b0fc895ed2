import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { AppException } from '../../../common/errors/app.exception.js';
import type { LtiLaunchErrorCode } from '../lti.errors.js';

export const MAX_CLOCK_SKEW_SECONDS = 60;
const MIN_RSA_BITS = 2048;

export type IdTokenClaims = Record<string, unknown> & {
  iss: string;
  aud: string | string[];
  exp: number;
  iat: number;
  sub?: string;
  nonce?: string;
  azp?: string;
};

/** Finds a platform's public key by kid (re-fetching its key set once when the kid is new). */
export type PlatformKeyLookup = (kid: string) => Promise<JWK | undefined>;

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  now: Date;
}

export function refuse(
  code: LtiLaunchErrorCode,
  details: Record<string, unknown> | null = null,
): AppException {
  return new AppException(code, undefined, details);
}

/**
 * The 1EdTech Security Framework's checks of an id_token, in order: RS256 only (never `none`
 * or an HMAC keyed with the public key), a kid, the key it names (RSA, 2048 bits or more; `jku`
 * and `x5u` are never followed), the signature, then `iss`, `aud` (and `azp` when `aud` is a
 * list), `exp`, `iat` and `nbf` with at most a minute of skew. Each failure its own code.
 */
export async function verifyIdToken(
  idToken: string,
  keys: PlatformKeyLookup,
  expected: IdTokenExpectations,
): Promise<IdTokenClaims> {
  const header = protectedHeader(idToken);
  if (header.alg !== 'RS256') {
    throw refuse('LTI_ALG_NOT_ALLOWED', {
      alg: typeof header.alg === 'string' ? header.alg : null,
    });
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0) {
    throw refuse('LTI_KID_MISSING');
  }
  const jwk = await keys(header.kid);
  if (!jwk || jwk.kty !== 'RSA' || typeof jwk.n !== 'string') {
    throw refuse('LTI_KEY_NOT_FOUND', { kid: header.kid });
  }
  const bits = Buffer.from(jwk.n, 'base64url').length * 8;
  if (bits < MIN_RSA_BITS) {
    throw refuse('LTI_KEY_TOO_WEAK', { kid: header.kid, bits });
  }
  let payloadBytes: Uint8Array;
  try {
    const key = await importJWK({ kty: 'RSA', n: jwk.n, e: jwk.e }, 'RS256');
    ({ payload: payloadBytes } = await compactVerify(idToken, key, { algorithms: ['RS256'] }));
  } catch {
    throw refuse('LTI_SIGNATURE_INVALID', { kid: header.kid });
  }
  const claims = parsePayload(payloadBytes);
  checkStandardClaims(claims, expected);
  return claims;
}

function protectedHeader(idToken: string): Record<string, unknown> {
  if (idToken.split('.').length !== 3) {
    throw refuse('LTI_ID_TOKEN_MALFORMED');
  }
  try {
    return decodeProtectedHeader(idToken);
  } catch {
    throw refuse('LTI_ID_TOKEN_MALFORMED');
  }
}

function parsePayload(bytes: Uint8Array): IdTokenClaims {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(bytes).toString('utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as IdTokenClaims;
    }
  } catch {
    // falls through to the refusal
  }
  throw refuse('LTI_ID_TOKEN_MALFORMED');
}

function checkStandardClaims(claims: IdTokenClaims, expected: IdTokenExpectations): void {
  if (claims.iss !== expected.issuer) {
    throw refuse('LTI_ISSUER_MISMATCH');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.clientId)) {
    throw refuse('LTI_AUDIENCE_MISMATCH');
  }
  if (Array.isArray(claims.aud) && claims.azp !== expected.clientId) {
    throw refuse('LTI_AZP_MISMATCH');
  }
  const now = Math.floor(expected.now.getTime() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp + MAX_CLOCK_SKEW_SECONDS <= now) {
    throw refuse('LTI_TOKEN_EXPIRED');
  }
  if (typeof claims.iat !== 'number' || claims.iat - MAX_CLOCK_SKEW_SECONDS > now) {
    throw refuse('LTI_TOKEN_NOT_YET_VALID');
  }
  if (
    claims.nbf !== undefined &&
    (typeof claims.nbf !== 'number' || claims.nbf - MAX_CLOCK_SKEW_SECONDS > now)
  ) {
    throw refuse('LTI_TOKEN_NOT_YET_VALID');
  }
}
