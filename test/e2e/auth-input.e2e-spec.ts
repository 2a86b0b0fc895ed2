import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type TestUser, type Tokens } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const LONG = 'a'.repeat(10_240);
const SQLISH = "x'; DROP TABLE users; --";
const NUL = 'nul\u0000byte';
const LONE_SURROGATES = ['x\ud800', '\udc00x', 'a\ud800\ud800\udc00'];
const DEEP = JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown;

/** Hostile values for one string field. */
const BAD_VALUES: unknown[] = [
  null,
  42,
  true,
  ['array'],
  { nested: 'object' },
  '',
  LONG,
  NUL,
  ...LONE_SURROGATES,
  DEEP,
];
const BAD_EMAILS: unknown[] = [
  ...BAD_VALUES,
  'not-an-email',
  'a@b',
  '@school.test',
  `${'x'.repeat(300)}@school.test`,
  "' OR 1=1 --@x",
  'a\ud800@school.test',
  '\udc00@school.test',
];

interface RouteCase {
  name: string;
  path: string;
  valid: Record<string, unknown>;
  auth?: boolean;
  method?: string;
  /** Every field is optional, so `{}` is a valid (empty) request. */
  emptyOk?: boolean;
  /** Optional fields that may still not be set to null. */
  nonNullable?: string[];
  /** Field -> hostile values to try in it. */
  fields: Record<string, unknown[]>;
}

const ENVELOPE_KEYS = ['details', 'error_code', 'message', 'request_id', 'timestamp'];

describe('hostile input on every accounts route', () => {
  let t: TestApp;
  let user: TestUser;
  let tokens: Tokens;

  const routes: RouteCase[] = [
    {
      name: 'register',
      path: '/api/v1/auth/register',
      valid: { email: 'fuzz@school.test', password: 'Seed-2026-garden', full_name: 'Fuzz Person' },
      fields: {
        email: BAD_EMAILS,
        password: BAD_VALUES,
        full_name: BAD_VALUES,
        username: BAD_VALUES,
      },
    },
    {
      name: 'login',
      path: '/api/v1/auth/login',
      valid: { email: 'fuzz@school.test', password: 'Seed-2026-garden' },
      fields: { email: BAD_EMAILS, password: BAD_VALUES, tenant_id: BAD_VALUES },
    },
    {
      name: 'verify-email',
      path: '/api/v1/auth/verify-email',
      valid: { token: 'some-token' },
      fields: { token: BAD_VALUES },
    },
    {
      name: 'resend-verification',
      path: '/api/v1/auth/resend-verification',
      valid: { email: 'fuzz@school.test' },
      fields: { email: BAD_EMAILS },
    },
    {
      name: 'refresh',
      path: '/api/v1/auth/refresh',
      valid: { refresh_token: 'abc' },
      fields: { refresh_token: BAD_VALUES },
    },
    {
      name: 'forgot-password',
      path: '/api/v1/auth/forgot-password',
      valid: { email: 'fuzz@school.test' },
      fields: { email: BAD_EMAILS },
    },
    {
      name: 'reset-password',
      path: '/api/v1/auth/reset-password',
      valid: { token: 'abc', new_password: 'Seed-2026-garden' },
      fields: { token: BAD_VALUES, new_password: BAD_VALUES },
    },
    {
      name: 'switch-tenant',
      path: '/api/v1/auth/switch-tenant',
      auth: true,
      valid: { tenant_id: 'some_school' },
      fields: { tenant_id: BAD_VALUES },
    },
    {
      name: 'change password',
      path: '/api/v1/users/me/password',
      auth: true,
      valid: { current_password: 'Seed-2026-garden', new_password: 'Brand-New-Pass-9' },
      fields: { current_password: BAD_VALUES, new_password: BAD_VALUES },
    },
    {
      name: 'update profile',
      path: '/api/v1/users/me',
      method: 'PATCH',
      auth: true,
      emptyOk: true,
      nonNullable: ['full_name', 'preferences'],
      valid: { full_name: 'Fuzz Person' },
      fields: {
        full_name: BAD_VALUES,
        username: BAD_VALUES,
        phone: BAD_VALUES,
        grade_level: BAD_VALUES,
        profile_image_url: [...BAD_VALUES, 'javascript:alert(1)', 'http://plain.example/a.png'],
        preferences: [
          null,
          'string',
          [1, 2],
          { big: LONG },
          { theme: 'x\ud800' },
          { ['k\u0000']: 1 },
          DEEP,
        ],
      },
    },
  ];

  const counts = async () =>
    (
      await query<Record<string, string>>(
        t.databaseUrl,
        `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM sessions) AS sessions,
                (SELECT count(*) FROM one_time_tokens) AS tokens,
                (SELECT count(*) FROM outbox_events) AS events,
                (SELECT md5(string_agg(u::text, '' ORDER BY id)) FROM users u) AS users_digest`,
      )
    )[0];

  beforeAll(async () => {
    t = await startTestApp();
    user = await createUser(t);
    tokens = await login(t, user);
  });

  afterAll(async () => {
    await t.close();
  });

  it.each(routes)(
    'should answer every hostile $name body with a 4xx envelope and write nothing',
    async (route) => {
      const before = await counts();
      const bodies: unknown[] = [
        ...(route.emptyOk ? [] : [{}]),
        null,
        [],
        'a string',
        { ...route.valid, unexpected: 'field' },
        { ...route.valid, role: 'super_admin' },
      ];
      for (const [field, values] of Object.entries(route.fields)) {
        // null clears an optional field, so it is hostile only where the field is required.
        const required = field in route.valid && !route.emptyOk;
        const nullOk = !required && !(route.nonNullable ?? []).includes(field);
        for (const value of values) {
          if (value === null && nullOk) {
            continue;
          }
          bodies.push({ ...route.valid, [field]: value });
        }
        const { [field]: _omitted, ...missing } = route.valid;
        if (required) {
          bodies.push(missing);
        }
      }
      for (const body of bodies) {
        const response = await requestJson(`${t.baseUrl}${route.path}`, {
          method: route.method ?? 'POST',
          json: body,
          headers: route.auth ? bearer(tokens.access_token) : {},
        });
        const summary = `${route.name} ${JSON.stringify(body)?.slice(0, 120)} -> ${response.status}`;
        expect([summary, response.status >= 400 && response.status < 500]).toEqual([summary, true]);
        expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
      }
      expect(await counts()).toEqual(before);
    },
  );

  it('should refuse non-JSON bodies and oversized ones with a 4xx envelope', async () => {
    const form = await fetch(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a@b.c&password=x',
    });
    expect(form.status).toBe(415);
    const broken = await fetch(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": "a@b.c", "password": ',
    });
    expect(broken.status).toBe(400);
    const huge = await fetch(`${t.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
  });

  it('should store SQL-looking text as plain text', async () => {
    const response = await requestJson(`${t.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      json: { email: 'bobby@school.test', password: 'Seed-2026-garden', full_name: SQLISH },
    });
    expect(response.status).toBe(202);
    const [row] = await query<{ full_name: string }>(
      t.databaseUrl,
      `SELECT full_name FROM users WHERE email = 'bobby@school.test'`,
    );
    expect(row?.full_name).toBe(SQLISH);
    const login = await requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email: `${SQLISH}@x.test`, password: SQLISH },
    });
    expect(login.status).toBe(400);
  });

  it('should accept unicode names and keep them intact', async () => {
    const response = await requestJson(`${t.baseUrl}/api/v1/users/me`, {
      method: 'PATCH',
      headers: bearer(tokens.access_token),
      json: { full_name: '김민지 Ærøskøbing 🌱\u202e', preferences: { theme: 'dark', 언어: 'ko' } },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      full_name: '김민지 Ærøskøbing 🌱\u202e',
      preferences: { theme: 'dark', 언어: 'ko' },
    });
  });

  describe('messages that name the rule', () => {
    const loginWith = (json: Record<string, unknown>) =>
      requestJson<{ error_code: string; details: { fields: unknown[] } }>(
        `${t.baseUrl}/api/v1/auth/login`,
        { method: 'POST', json },
      );

    it('should say that an email or a username is required when neither is sent', async () => {
      const response = await loginWith({ password: 'Seed-2026-garden' });
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('COMMON_VALIDATION_FAILED');
      expect(response.body.details.fields).toEqual([
        { field: 'email', errors: ['email or username (with tenant_id) is required'] },
      ]);
    });

    it('should name the tenant-id format', async () => {
      const response = await loginWith({
        username: 'pupil.one',
        tenant_id: 'Not A School',
        password: 'Seed-2026-garden',
      });
      expect(response.status).toBe(400);
      expect(response.body.details.fields).toEqual([
        {
          field: 'tenant_id',
          errors: [
            'tenant_id must be a tenant id: 2–63 lower-case letters, digits, _ or -, starting with a letter or digit, such as hallym_univ',
          ],
        },
      ]);
    });

    it("should explain the password rule on the email's local part", async () => {
      const response = await requestJson<{ details: { fields: unknown[] } }>(
        `${t.baseUrl}/api/v1/auth/register`,
        {
          method: 'POST',
          json: { email: 'garden@school.test', password: 'Garden-2026!', full_name: 'Gardener' },
        },
      );
      expect(response.status).toBe(400);
      expect(response.body.details.fields).toEqual([
        {
          field: 'password',
          errors: [
            `password must not contain the email's local part (the part before @: "garden")`,
          ],
        },
      ]);
    });
  });
});
