import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { bearer, createUser, login, type TestUser, type Tokens } from '../factories/accounts.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ENVELOPE_KEYS = ['details', 'error_code', 'message', 'request_id', 'timestamp'];
const ISSUER = 'dreamseed-platform-api';
const AUDIENCE = 'dreamseed-platform';

type Jwk = Record<string, string>;

const me = (t: TestApp, token: string) =>
  requestJson<{ id: string } & Record<string, unknown>>(`${t.baseUrl}/api/v1/users/me`, {
    headers: bearer(token),
  });

const jwksOf = async (t: TestApp): Promise<Jwk[]> =>
  (await requestJson<{ keys: Jwk[] }>(`${t.baseUrl}/.well-known/jwks.json`)).body.keys;

/** What a JWKS-driven verifier elsewhere does with our tokens. */
const verifyWithJwks = (t: TestApp, token: string) =>
  jwtVerify(token, createRemoteJWKSet(new URL(`${t.baseUrl}/.well-known/jwks.json`)), {
    issuer: ISSUER,
    audience: AUDIENCE,
  });

const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function hmacToken(claims: Record<string, unknown>, kid: string, secret: string): string {
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT', kid })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

const spki = (key: KeyObject | string): string =>
  (typeof key !== 'string' && key.type === 'public' ? key : createPublicKey(key))
    .export({ format: 'pem', type: 'spki' })
    .toString();

describe('ES256 access tokens', () => {
  let t: TestApp;
  let user: TestUser;
  let tokens: Tokens;

  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t);
    tokens = await login(t, user);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should sign logins with ES256 under the P-256 key published in the JWKS', async () => {
    const header = decodeProtectedHeader(tokens.access_token);
    const [jwk] = await jwksOf(t);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(header.kid).toBe(jwk?.kid);
    expect(jwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: expect.any(String),
      y: expect.any(String),
      kid: expect.any(String),
      alg: 'ES256',
      use: 'sig',
    });
  });

  it("should verify with jose's remote JWKS, issuer and audience", async () => {
    const { payload, protectedHeader } = await verifyWithJwks(t, tokens.access_token);
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(user.id);
    expect(payload.iss).toBe(ISSUER);
    expect(payload.aud).toBe(AUDIENCE);
  });

  it('should be accepted by our guard', async () => {
    const response = await me(t, tokens.access_token);
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
  });

  it('should keep signing ES256 after a refresh', async () => {
    const refreshed = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      json: { refresh_token: tokens.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(decodeProtectedHeader(refreshed.body.access_token).alg).toBe('ES256');
    expect((await me(t, refreshed.body.access_token)).status).toBe(200);
    tokens = refreshed.body;
  });
});

describe('switching the signing key from RS256 to ES256', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsaPem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const ecPem = process.env.JWT_PRIVATE_KEY ?? '';
  const started: TestApp[] = [];
  const start = async (options: Parameters<typeof startTestApp>[0]) => {
    const app = await startTestApp(options);
    started.push(app);
    return app;
  };
  let before: TestApp;
  let switched: TestApp;
  let withoutOldKey: TestApp;
  let user: TestUser;
  let oldTokens: Tokens;
  let ecKid: string;
  let rsaKid: string;

  beforeAll(async () => {
    before = await start({ env: { JWT_PRIVATE_KEY: rsaPem } });
    user = await createUser(before);
    oldTokens = await login(before, user);
    switched = await start({
      databaseUrl: before.databaseUrl,
      env: { JWT_PRIVATE_KEY: ecPem, JWT_PREVIOUS_PUBLIC_KEYS: spki(rsa.publicKey) },
    });
    withoutOldKey = await start({
      databaseUrl: before.databaseUrl,
      env: { JWT_PRIVATE_KEY: ecPem },
    });
    const keys = await jwksOf(switched);
    ecKid = keys.find((key) => key.kty === 'EC')?.kid ?? '';
    rsaKid = keys.find((key) => key.kty === 'RSA')?.kid ?? '';
  });

  afterAll(async () => {
    for (const app of started.reverse()) {
      await app.close();
    }
  });

  it('should have signed RS256 with the RSA key before the switch', async () => {
    const header = decodeProtectedHeader(oldTokens.access_token);
    expect(header.alg).toBe('RS256');
    expect(header.kid).toBe(rsaKid);
    expect(await jwksOf(before)).toEqual([
      { kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: rsaKid, alg: 'RS256', use: 'sig' },
    ]);
  });

  it('should publish the new EC key first and the previous RSA key after it', async () => {
    const keys = await jwksOf(switched);
    expect(keys.map((key) => [key.kty, key.alg])).toEqual([
      ['EC', 'ES256'],
      ['RSA', 'RS256'],
    ]);
    expect(ecKid).not.toBe(rsaKid);
    expect(await jwksOf(withoutOldKey)).toHaveLength(1);
  });

  it('should still accept the RS256 token issued before the switch', async () => {
    const response = await me(switched, oldTokens.access_token);
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(user.id);
    const { protectedHeader } = await verifyWithJwks(switched, oldTokens.access_token);
    expect(protectedHeader.alg).toBe('RS256');
  });

  it('should sign new logins, and refreshes of sessions from before, with ES256', async () => {
    const fresh = await login(switched, user);
    expect(decodeProtectedHeader(fresh.access_token)).toMatchObject({ alg: 'ES256', kid: ecKid });
    expect((await verifyWithJwks(switched, fresh.access_token)).payload.sub).toBe(user.id);
    expect((await me(switched, fresh.access_token)).status).toBe(200);

    const refreshed = await requestJson<Tokens>(`${switched.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      json: { refresh_token: oldTokens.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    expect(decodeProtectedHeader(refreshed.body.access_token).alg).toBe('ES256');
    expect((await me(switched, refreshed.body.access_token)).status).toBe(200);
  });

  it('should refuse an RS256 token whose key is not configured (401, envelope)', async () => {
    const response = await me(withoutOldKey, oldTokens.access_token);
    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('AUTH_TOKEN_INVALID');
    expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
  });

  describe('algorithm confusion', () => {
    // Claims of a genuine token, so only the header and signature make a case fail.
    const genuine = () => claimsOf(oldTokens.access_token);
    const signed = (key: KeyObject, algorithm: 'RS256' | 'ES256', kid: string) =>
      jwt.sign(genuine(), key, { algorithm, keyid: kid });
    const unsigned = (alg: string, kid: string) =>
      `${encode({ alg, typ: 'JWT', kid })}.${encode(genuine())}.`;
    let esToken: string;

    beforeAll(async () => {
      esToken = (await login(switched, user)).access_token;
    });

    it('should accept the controls: the same claims signed by each key under its own kid', async () => {
      expect((await me(switched, signed(rsa.privateKey, 'RS256', rsaKid))).status).toBe(200);
      expect((await me(switched, signed(createPrivateKey(ecPem), 'ES256', ecKid))).status).toBe(
        200,
      );
      expect((await me(switched, esToken)).status).toBe(200);
    });

    const cases: Array<[string, () => string]> = [
      [
        'HS256 with the EC public key as the HMAC secret',
        () => hmacToken(genuine(), ecKid, spki(ecPem)),
      ],
      [
        'HS256 with the RSA public key as the HMAC secret',
        () => hmacToken(genuine(), rsaKid, spki(rsa.publicKey)),
      ],
      ['alg none under the EC kid', () => unsigned('none', ecKid)],
      ['alg none under the RSA kid', () => unsigned('none', rsaKid)],
      ['alg NONE under the EC kid', () => unsigned('NONE', ecKid)],
      [
        'an RS256 header, validly signed by the previous RSA key, pointing at the EC kid',
        () => signed(rsa.privateKey, 'RS256', ecKid),
      ],
      [
        'an ES256 header, validly signed by the current EC key, pointing at the RSA kid',
        () => signed(createPrivateKey(ecPem), 'ES256', rsaKid),
      ],
      [
        'an ES256 login token relabelled ES384',
        () => withHeader(esToken, { alg: 'ES384', kid: ecKid }),
      ],
      [
        'the pre-switch RS256 token relabelled PS256',
        () => withHeader(oldTokens.access_token, { alg: 'PS256', kid: rsaKid }),
      ],
    ];

    it.each(cases)('should refuse %s (401, envelope)', async (_name, token) => {
      const response = await me(switched, token());
      expect(response.status).toBe(401);
      expect(response.body.error_code).toBe('AUTH_TOKEN_INVALID');
      expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
    });
  });
});

/** A token's payload and signature under another header. */
function withHeader(token: string, header: Record<string, unknown>): string {
  const [, payload, signature] = token.split('.');
  return `${encode({ typ: 'JWT', ...header })}.${payload ?? ''}.${signature ?? ''}`;
}
