import { generateKeyPairSync, createPublicKey, randomUUID, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { bearer, createTenant, createUser, login, type Tokens } from '../factories/accounts.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const RBAC = 'test/fixtures/rbac-probe.module.ts#RbacProbeModule';

/** The account routes (profile, password, sessions, sign-out, identities): all need a signed-in caller. */
const PROTECTED_ROUTES: Array<{ method: string; path: string; json?: unknown }> = [
  { method: 'GET', path: '/api/v1/users/me' },
  { method: 'PATCH', path: '/api/v1/users/me', json: { full_name: 'Changed Name' } },
  {
    method: 'POST',
    path: '/api/v1/users/me/password',
    json: { current_password: 'x', new_password: 'Brand-New-Pass-9' },
  },
  { method: 'GET', path: '/api/v1/users/me/sessions' },
  { method: 'DELETE', path: `/api/v1/users/me/sessions/${randomUUID()}` },
  { method: 'POST', path: '/api/v1/auth/logout' },
  { method: 'POST', path: '/api/v1/auth/logout-all' },
  { method: 'POST', path: '/api/v1/auth/switch-tenant', json: { tenant_id: 'some_school' } },
  { method: 'GET', path: '/api/v1/users/me/identities' },
  { method: 'DELETE', path: '/api/v1/users/me/identities/google' },
  { method: 'GET', path: '/api/v1/auth/google/link' },
];

const ENVELOPE_KEYS = ['details', 'error_code', 'message', 'request_id', 'timestamp'];

describe('access control', () => {
  let t: TestApp;
  let north: string;
  let south: string;
  let student: Tokens;
  let teacher: Tokens;
  let southTeacher: Tokens;
  let superAdmin: Tokens;
  const get = (path: string, token?: string) =>
    requestJson(`${t.baseUrl}${path}`, { headers: token ? bearer(token) : {} });

  beforeAll(async () => {
    t = await startTestApp({ fixtures: [RBAC] });
    north = await createTenant(t);
    south = await createTenant(t);
    student = await login(t, await createUser(t, { tenant: north, role: 'student' }));
    teacher = await login(t, await createUser(t, { tenant: north, role: 'teacher' }));
    southTeacher = await login(t, await createUser(t, { tenant: south, role: 'teacher' }));
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
  });

  afterAll(async () => {
    await t.close();
  });

  it.each(PROTECTED_ROUTES)('should refuse $method $path without a token (401)', async (route) => {
    const response = await requestJson(`${t.baseUrl}${route.path}`, {
      method: route.method,
      json: route.json,
    });
    expect(response.status).toBe(401);
    expect(response.body.error_code).toBe('AUTH_UNAUTHENTICATED');
    expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
  });

  it.each(PROTECTED_ROUTES)(
    'should refuse $method $path with a forged token (401)',
    async (route) => {
      const response = await requestJson(`${t.baseUrl}${route.path}`, {
        method: route.method,
        json: route.json,
        headers: bearer(forge({ alg: 'none' })),
      });
      expect(response.status).toBe(401);
      expect(response.body.error_code).toBe('AUTH_TOKEN_INVALID');
    },
  );

  it('should refuse a role the route does not allow (403), and let the right roles in', async () => {
    const refused = await get('/api/v1/rbac-probe/teachers-only', student.access_token);
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe('AUTH_FORBIDDEN');
    expect((await get('/api/v1/rbac-probe/teachers-only', teacher.access_token)).status).toBe(200);
    expect((await get('/api/v1/rbac-probe/teachers-only', superAdmin.access_token)).status).toBe(
      200,
    );
    expect((await get('/api/v1/rbac-probe/platform-only', teacher.access_token)).status).toBe(403);
    expect((await get('/api/v1/rbac-probe/platform-only', superAdmin.access_token)).status).toBe(
      200,
    );
  });

  it("should refuse a teacher in another school's records (403)", async () => {
    const own = await get(`/api/v1/rbac-probe/tenants/${north}/roster`, teacher.access_token);
    expect(own.status).toBe(200);
    const other = await get(
      `/api/v1/rbac-probe/tenants/${north}/roster`,
      southTeacher.access_token,
    );
    expect(other.status).toBe(403);
    expect(other.body.error_code).toBe('COMMON_FORBIDDEN');
    const admin = await get(`/api/v1/rbac-probe/tenants/${south}/roster`, superAdmin.access_token);
    expect(admin.status).toBe(200);
  });

  it('should refuse switching into a school the caller does not belong to (403)', async () => {
    const response = await requestJson(`${t.baseUrl}/api/v1/auth/switch-tenant`, {
      method: 'POST',
      headers: bearer(teacher.access_token),
      json: { tenant_id: south },
    });
    expect(response.status).toBe(403);
    expect(response.body.error_code).toBe('AUTH_NOT_A_MEMBER');
  });

  describe('bad access tokens', () => {
    const { privateKey: otherKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ourKey = process.env.JWT_PRIVATE_KEY ?? '';
    let claims: Record<string, unknown>;
    let kid: string;

    beforeAll(() => {
      const [header, payload] = teacher.access_token.split('.');
      claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
        string,
        unknown
      >;
      kid = (JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as { kid: string }).kid;
    });

    const sign = (overrides: Record<string, unknown>, key: unknown = ourKey, opts = {}) =>
      jwt.sign({ ...claims, ...overrides }, key as string, {
        algorithm: 'ES256',
        keyid: kid,
        ...opts,
      });

    const cases: Array<[string, () => string, string]> = [
      ['alg none', () => forge({ alg: 'none', kid }, claims), 'AUTH_TOKEN_INVALID'],
      [
        'HS256 signed with the public key (key confusion)',
        () =>
          hmacToken(claims, kid, createPublicKey(ourKey).export({ type: 'spki', format: 'pem' })),
        'AUTH_TOKEN_INVALID',
      ],
      ['another P-256 key under our kid', () => sign({}, otherKey), 'AUTH_TOKEN_INVALID'],
      [
        'expired',
        () =>
          sign({
            iat: Math.floor(Date.now() / 1000) - 3600,
            exp: Math.floor(Date.now() / 1000) - 60,
          }),
        'AUTH_TOKEN_EXPIRED',
      ],
      [
        'tampered payload',
        () => {
          const [h, , s] = teacher.access_token.split('.');
          const body = Buffer.from(JSON.stringify({ ...claims, prole: 'super_admin' })).toString(
            'base64url',
          );
          return `${h}.${body}.${s}`;
        },
        'AUTH_TOKEN_INVALID',
      ],
      [
        'tampered signature',
        () =>
          `${teacher.access_token.slice(0, -4)}${teacher.access_token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
        'AUTH_TOKEN_INVALID',
      ],
      ['wrong audience', () => sign({ aud: 'someone-else' }), 'AUTH_TOKEN_INVALID'],
      ['wrong issuer', () => sign({ iss: 'https://evil.example' }), 'AUTH_TOKEN_INVALID'],
      ['unknown session', () => sign({ sid: randomUUID() }), 'AUTH_SESSION_REVOKED'],
      ['session id that is not a uuid', () => sign({ sid: "1' OR '1'='1" }), 'AUTH_TOKEN_INVALID'],
      ['garbage', () => 'not.a.jwt', 'AUTH_TOKEN_INVALID'],
      ['10 kB of noise', () => 'x'.repeat(10_000), 'AUTH_TOKEN_INVALID'],
    ];

    it.each(cases)('should refuse %s with 401 in the envelope', async (_name, token, code) => {
      const response = await get('/api/v1/users/me', token());
      expect(response.status).toBe(401);
      expect(response.body.error_code).toBe(code);
      expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
    });

    it('should refuse a scheme other than Bearer', async () => {
      const response = await requestJson(`${t.baseUrl}/api/v1/users/me`, {
        headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      });
      expect(response.status).toBe(401);
    });

    it('should still accept the genuine token after all that', async () => {
      expect((await get('/api/v1/users/me', teacher.access_token)).status).toBe(200);
    });
  });
});

function forge(header: Record<string, unknown>, claims: Record<string, unknown> = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ typ: 'JWT', ...header })}.${encode({ sub: randomUUID(), ...claims })}.`;
}

function hmacToken(claims: Record<string, unknown>, kid: string, secret: string | Buffer): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT', kid })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}
