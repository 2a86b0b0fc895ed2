import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  bearer,
  DEFAULT_PASSWORD,
  tokenFromMail,
  uniqueEmail,
  type Tokens,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('accounts: register → verify → sign in → refresh → reuse → sign out', () => {
  let t: TestApp;
  const smtp = new SmtpSink();
  const email = uniqueEmail('minji');
  const api = (path: string): string => `${t.baseUrl}/api/v1${path}`;

  beforeAll(async () => {
    const port = await smtp.start();
    t = await startTestApp({
      env: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_USER: smtp.user,
        SMTP_PASSWORD: smtp.pass,
        FRONTEND_URL: 'https://app.dreamseed.test',
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('should walk the whole account lifecycle over HTTP', async () => {
    // Register: the body's role is refused, not silently dropped.
    const withRole = await requestJson(api('/auth/register'), {
      method: 'POST',
      json: { email, password: DEFAULT_PASSWORD, full_name: 'Kim Minji', role: 'admin' },
    });
    expect(withRole.status).toBe(400);
    const registered = await requestJson(api('/auth/register'), {
      method: 'POST',
      json: { email: email.toUpperCase(), password: DEFAULT_PASSWORD, full_name: 'Kim Minji' },
    });
    expect(registered.status).toBe(202);
    expect(registered.body).toBeNull();
    const [created] = await query<{ email: string; full_name: string; platform_role: null }>(
      t.databaseUrl,
      `SELECT email, full_name, platform_role, email_verified_at FROM users WHERE email = $1`,
      [email],
    );
    expect(created).toMatchObject({
      email,
      full_name: 'Kim Minji',
      platform_role: null,
      email_verified_at: null,
    });
    // A taken address answers exactly the same; its owner is told instead.
    const duplicate = await requestJson(api('/auth/register'), {
      method: 'POST',
      json: { email, password: DEFAULT_PASSWORD, full_name: 'Someone Else' },
    });
    expect(duplicate.status).toBe(202);
    expect(duplicate.body).toBeNull();
    const notice = await waitFor(() =>
      Promise.resolve(
        smtp.received.find((m) => m.to.includes(email) && m.raw.includes('tried to register')),
      ),
    );
    expect(notice.raw.replace(/=\r?\n/g, '')).toContain('Forgot password');
    expect(notice.raw).not.toMatch(/#token=/);

    // Not verified yet: the right password is refused with a precise reason.
    const early = await requestJson(api('/auth/login'), {
      method: 'POST',
      json: { email, password: DEFAULT_PASSWORD },
    });
    expect(early.status).toBe(403);
    expect(early.body.error_code).toBe('AUTH_EMAIL_NOT_VERIFIED');

    // The verification mail arrives at a real SMTP server, its link carries the token in the fragment.
    const mail = await waitFor(() =>
      Promise.resolve(
        smtp.received.find((m) => m.to.includes(email) && m.raw.includes('Confirm your')),
      ),
    );
    expect(mail.raw).toContain('https://app.dreamseed.test/verify-email#token=');
    const token = tokenFromMail(mail.raw);
    const verified = await requestJson(api('/auth/verify-email'), {
      method: 'POST',
      json: { token },
    });
    expect(verified.status).toBe(204);
    const again = await requestJson(api('/auth/verify-email'), { method: 'POST', json: { token } });
    expect(again.status).toBe(400);
    expect(again.body.error_code).toBe('AUTH_ONE_TIME_TOKEN_INVALID');

    // Sign in.
    const login = await requestJson<Tokens>(api('/auth/login'), {
      method: 'POST',
      json: { email, password: DEFAULT_PASSWORD },
      headers: { 'user-agent': 'flow-test' },
    });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ token_type: 'bearer', expires_in: 900 });
    const claims = JSON.parse(
      Buffer.from(login.body.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: login.body.user.id, tid: null, role: null, prole: null });
    expect(claims.exp).toBe((claims.iat as number) + 900);
    expect(typeof claims.sid).toBe('string');
    expect(typeof claims.jti).toBe('string');

    const me = await requestJson(api('/users/me'), { headers: bearer(login.body.access_token) });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email, email_verified: true, memberships: [] });

    // Refresh rotates.
    const first = login.body.refresh_token;
    const rotated = await requestJson<Tokens>(api('/auth/refresh'), {
      method: 'POST',
      json: { refresh_token: first },
    });
    expect(rotated.status).toBe(200);
    const second = rotated.body.refresh_token;
    expect(second).not.toBe(first);

    // Two tabs refreshing with the same token at once get the same successor.
    const parallel = await Promise.all(
      [1, 2, 3].map(() =>
        requestJson<Tokens>(api('/auth/refresh'), {
          method: 'POST',
          json: { refresh_token: second },
        }),
      ),
    );
    expect(parallel.map((r) => r.status)).toEqual([200, 200, 200]);
    const successors = new Set(parallel.map((r) => r.body.refresh_token));
    expect(successors.size).toBe(1);
    const third = [...successors][0] ?? '';
    expect(third).not.toBe(second);
    const stillWorking = await requestJson(api('/users/me'), {
      headers: bearer(parallel[0]?.body.access_token ?? ''),
    });
    expect(stillWorking.status).toBe(200);

    // Replaying an older token is reuse: the session ends, and its access tokens with it.
    const replay = await requestJson(api('/auth/refresh'), {
      method: 'POST',
      json: { refresh_token: first },
    });
    expect(replay.status).toBe(401);
    expect(replay.body.error_code).toBe('AUTH_REFRESH_TOKEN_REUSED');
    const afterReuse = await requestJson(api('/users/me'), {
      headers: bearer(parallel[0]?.body.access_token ?? ''),
    });
    expect(afterReuse.status).toBe(401);
    expect(afterReuse.body.error_code).toBe('AUTH_SESSION_REVOKED');
    const latestAfterReuse = await requestJson(api('/auth/refresh'), {
      method: 'POST',
      json: { refresh_token: third },
    });
    expect(latestAfterReuse.status).toBe(401);
    const [session] = await query<{ revoked_reason: string }>(
      t.databaseUrl,
      `SELECT revoked_reason FROM sessions WHERE id = $1`,
      [claims.sid],
    );
    expect(session?.revoked_reason).toBe('refresh_token_reused');
    await waitFor(async () => {
      const rows = await query(
        t.databaseUrl,
        `SELECT 1 FROM audit_logs WHERE action = 'auth.refresh_token_reused' AND actor_id = $1`,
        [login.body.user.id],
      );
      return rows.length > 0;
    });

    // A new sign-in, then logout: the access token is refused at once.
    const fresh = await requestJson<Tokens>(api('/auth/login'), {
      method: 'POST',
      json: { email, password: DEFAULT_PASSWORD },
    });
    const access = fresh.body.access_token;
    expect((await requestJson(api('/users/me'), { headers: bearer(access) })).status).toBe(200);
    const logout = await requestJson(api('/auth/logout'), {
      method: 'POST',
      headers: bearer(access),
    });
    expect(logout.status).toBe(204);
    const refused = await requestJson(api('/users/me'), { headers: bearer(access) });
    expect(refused.status).toBe(401);
    expect(refused.body.error_code).toBe('AUTH_SESSION_REVOKED');
    const refreshAfterLogout = await requestJson(api('/auth/refresh'), {
      method: 'POST',
      json: { refresh_token: fresh.body.refresh_token },
    });
    expect(refreshAfterLogout.status).toBe(401);
    expect(refreshAfterLogout.body.error_code).toBe('AUTH_REFRESH_TOKEN_INVALID');
  });

  it('should relay the committed changes as events, and nothing for a refused one', async () => {
    const userId = (
      await query<{ id: string }>(t.databaseUrl, `SELECT id FROM users WHERE email = $1`, [email])
    )[0]?.id;
    const events = await waitFor(async () => {
      const rows = await query<{ id: string; type: string; published: boolean }>(
        t.databaseUrl,
        `SELECT id, type, published_at IS NOT NULL AS published FROM outbox_events
         WHERE aggregate_id = $1 ORDER BY occurred_at`,
        [userId],
      );
      return rows.length >= 4 && rows.every((row) => row.published) ? rows : undefined;
    });
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type === 'user.created')).toHaveLength(1);
    expect(types).toContain('user.logged_in');
    expect(types).toContain('user.logged_out');
    // The refused duplicate registration rolled back: no second user, no second event.
    const users = await query(t.databaseUrl, `SELECT 1 FROM users WHERE email = $1`, [email]);
    expect(users).toHaveLength(1);
    // No secret-bearing field and no hash; `"provider": "password"` (how someone signed in) is fine.
    const secrets = await query(
      t.databaseUrl,
      `SELECT 1 FROM outbox_events
       WHERE payload::text ~* '("[a-z_]*(password|token|secret)[a-z_]*"\\s*:|argon2|\\$2[aby]\\$)'`,
    );
    expect(secrets).toHaveLength(0);
    // The consumer has taken every relayed event off the `events` queue (in batches).
    const queue = t.app.get<{
      getJobCounts(...types: string[]): Promise<Record<string, number>>;
      getJobs(types: string[]): Promise<{ data: { events: { id: string }[] } }[]>;
    }>('BullQueue_events', { strict: false });
    await waitFor(async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'failed');
      const done = new Set(
        (await queue.getJobs(['completed'])).flatMap((job) => job.data.events.map((e) => e.id)),
      );
      return (
        events.every((event) => done.has(event.id)) && counts.waiting === 0 && counts.failed === 0
      );
    });
  });

  it('should keep passwords and tokens out of the audit trail', async () => {
    const rows = await waitFor(async () => {
      const found = await query<{ metadata: string; action: string }>(
        t.databaseUrl,
        `SELECT action, metadata::text AS metadata FROM audit_logs WHERE action LIKE 'auth.%'`,
      );
      const actions = new Set(found.map((row) => row.action));
      const expected = ['auth.register', 'auth.login', 'auth.refresh', 'auth.logout'];
      return expected.every((action) => actions.has(action)) ? found : undefined;
    });
    for (const row of rows) {
      expect(row.metadata).not.toContain(DEFAULT_PASSWORD);
      expect(row.metadata).not.toMatch(/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/);
      expect(row.metadata).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
    }
  });

  it('should document registration as always 202, with no 201 and no 409', async () => {
    const { body } = await requestJson<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>(`${t.baseUrl}/docs-json`);
    const responses = body.paths['/api/v1/auth/register']?.post?.responses ?? {};
    expect(responses).toHaveProperty('202');
    expect(responses).not.toHaveProperty('201');
    expect(responses).not.toHaveProperty('409');
    expect(JSON.stringify(responses)).not.toContain('USER_EMAIL_ALREADY_EXISTS');
  });

  it('should publish the JWKS that verifies the access tokens', async () => {
    const jwks = await requestJson<{ keys: Array<Record<string, string>> }>(
      `${t.baseUrl}/.well-known/jwks.json`,
    );
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(JSON.stringify(jwks.body)).not.toMatch(/"d"|"p"|"q"/);
  });
});
