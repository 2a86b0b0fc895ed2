import { afterEach, describe, expect, it } from '@jest/globals';
import { uniqueEmail } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, uniqueClientIp } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBE = 'test/fixtures/probe.module.ts#ProbeModule';
const redisConfigured = Boolean(process.env.REDIS_URL);

describe('rate limiting', () => {
  const apps: TestApp[] = [];

  async function start(env: Record<string, string>, databaseUrl?: string): Promise<TestApp> {
    const app = await startTestApp({ env, fixtures: [PROBE], databaseUrl });
    apps.push(app);
    return app;
  }

  afterEach(async () => {
    // Shared-database apps are closed before the one that owns the database.
    for (const app of apps.splice(0).reverse()) {
      await app.close();
    }
  });

  const status = (t: TestApp, ip: string) =>
    requestJson(`${t.baseUrl}/api/v1/status`, { headers: { 'x-forwarded-for': ip } });

  it('should answer 429 with the envelope and Retry-After once an anonymous client spends its budget', async () => {
    const t = await start({ RATE_LIMIT_ANONYMOUS_LIMIT: '3', TRUST_PROXY: 'true' });
    const ip = uniqueClientIp();
    for (let i = 0; i < 3; i += 1) {
      expect((await status(t, ip)).status).toBe(200);
    }
    const refused = await status(t, ip);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({
      error_code: 'COMMON_RATE_LIMITED',
      details: { limit: 3, window_seconds: 3600 },
      request_id: refused.headers.get('x-request-id'),
    });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    // Another client behind the trusted proxy has its own budget.
    expect((await status(t, uniqueClientIp())).status).toBe(200);
  });

  it('should ignore X-Forwarded-For unless TRUST_PROXY is set', async () => {
    const t = await start({ RATE_LIMIT_ANONYMOUS_LIMIT: '2', TRUST_PROXY: 'false' });
    expect((await status(t, uniqueClientIp())).status).toBe(200);
    expect((await status(t, uniqueClientIp())).status).toBe(200);
    expect((await status(t, uniqueClientIp())).status).toBe(429);
  });

  it('should apply a per-route limit on top of the global budget', async () => {
    const t = await start({ TRUST_PROXY: 'true' });
    const ip = uniqueClientIp();
    const limited = () =>
      requestJson(`${t.baseUrl}/api/v1/probe/limited`, { headers: { 'x-forwarded-for': ip } });
    expect((await limited()).status).toBe(200);
    expect((await limited()).status).toBe(200);
    const refused = await limited();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await status(t, ip)).status).toBe(200);
  });

  it('should let everything through when RATE_LIMIT_ENABLED is false', async () => {
    const t = await start({ RATE_LIMIT_ANONYMOUS_LIMIT: '1', RATE_LIMIT_ENABLED: 'false' });
    const ip = uniqueClientIp();
    for (let i = 0; i < 3; i += 1) {
      expect((await status(t, ip)).status).toBe(200);
    }
  });

  it('should switch the failed sign-in budget off too when RATE_LIMIT_ENABLED is false', async () => {
    const t = await start({ RATE_LIMIT_LOGIN_LIMIT: '1', RATE_LIMIT_ENABLED: 'false' });
    const wrong = { email: `nobody-${Date.now()}@school.test`, password: 'Wrong-password-1' };
    for (let i = 0; i < 3; i += 1) {
      const response = await requestJson(`${t.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        json: wrong,
      });
      expect(response.status).toBe(401);
    }
  });

  it('should never throttle health probes or metrics scrapes', async () => {
    const t = await start({ RATE_LIMIT_ANONYMOUS_LIMIT: '1' });
    for (let i = 0; i < 5; i += 1) {
      expect((await fetch(`${t.baseUrl}/health/liveness`)).status).toBe(200);
      expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(200);
    }
  });

  it(
    redisConfigured
      ? 'should share one budget between two instances through Redis'
      : 'should keep a separate in-memory budget per instance without Redis',
    async () => {
      const env = {
        RATE_LIMIT_ANONYMOUS_LIMIT: '4',
        TRUST_PROXY: 'true',
        RATE_LIMIT_REDIS_PREFIX: `test:shared:${Date.now()}:`,
      };
      const first = await start(env);
      const second = await start(env, first.databaseUrl);
      const ip = uniqueClientIp();
      for (const t of [first, first, second, second]) {
        expect((await status(t, ip)).status).toBe(200);
      }
      const fifthOnSecond = await status(second, ip);
      expect(fifthOnSecond.status).toBe(redisConfigured ? 429 : 200);
      const fifthOnFirst = await status(first, ip);
      expect(fifthOnFirst.status).toBe(redisConfigured ? 429 : 200);
    },
  );

  describe('sign-in routes', () => {
    const post = (t: TestApp, path: string, json: unknown, ip: string) =>
      requestJson(`${t.baseUrl}/api/v1${path}`, {
        method: 'POST',
        json,
        headers: { 'x-forwarded-for': ip },
      });
    const signInCalls = (t: TestApp, ip: string) => [
      () => post(t, '/auth/login', { email: uniqueEmail(), password: 'Wrong-password-1' }, ip),
      () => post(t, '/auth/refresh', { refresh_token: 'not-a-token' }, ip),
      () => post(t, '/auth/oauth/exchange', { code: 'not-a-code' }, ip),
      () =>
        post(
          t,
          '/auth/register',
          { email: uniqueEmail(), password: 'Seed-2026-garden', full_name: 'New Pupil' },
          ip,
        ),
    ];

    it('should not spend the anonymous budget, so a school behind one address keeps signing in', async () => {
      const t = await start({ RATE_LIMIT_ANONYMOUS_LIMIT: '3', TRUST_PROXY: 'true' });
      const ip = uniqueClientIp();
      const statuses: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        for (const call of signInCalls(t, ip)) {
          statuses.push((await call()).status);
        }
      }
      expect(statuses).not.toContain(429);
      expect(new Set(statuses)).toEqual(new Set([401, 400, 202]));
      // The anonymous budget of that address is untouched by all of it.
      for (let i = 0; i < 3; i += 1) {
        expect((await status(t, ip)).status).toBe(200);
      }
      expect((await status(t, ip)).status).toBe(429);
    });

    it('should stop a flood from one address at RATE_LIMIT_SIGN_IN_FLOOD_LIMIT', async () => {
      const t = await start({ RATE_LIMIT_SIGN_IN_FLOOD_LIMIT: '6', TRUST_PROXY: 'true' });
      const ip = uniqueClientIp();
      const calls = [...signInCalls(t, ip), ...signInCalls(t, ip)];
      const statuses: number[] = [];
      for (const call of calls) {
        statuses.push((await call()).status);
      }
      expect(statuses.slice(0, 6)).not.toContain(429);
      const refused = await calls[0]?.();
      expect(refused?.status).toBe(429);
      expect(refused?.body).toMatchObject({
        error_code: 'COMMON_RATE_LIMITED',
        details: { limit: 6, window_seconds: 300 },
      });
      expect(statuses.slice(6)).toEqual([429, 429]);
      // Another address is not affected.
      expect((await signInCalls(t, uniqueClientIp())[0]?.())?.status).toBe(401);
    });
  });

  describe('the client IP behind proxies (TRUST_PROXY)', () => {
    const loginFrom = async (t: TestApp, forwardedFor: string): Promise<string | null> => {
      const email = uniqueEmail('ip');
      await requestJson(`${t.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        json: { email, password: 'Wrong-password-1' },
        headers: { 'x-forwarded-for': forwardedFor },
      });
      const [row] = await query<{ ip: string | null }>(
        t.databaseUrl,
        `SELECT ip FROM login_history WHERE email_tried = $1`,
        [email],
      );
      return row?.ip ?? null;
    };

    it('should keep only valid IP addresses from X-Forwarded-For with TRUST_PROXY=true', async () => {
      const t = await start({ TRUST_PROXY: 'true' });
      expect(await loginFrom(t, '=1+2')).toBe('127.0.0.1');
      expect(await loginFrom(t, '=1+2, 203.0.113.9')).toBe('203.0.113.9');
      expect(await loginFrom(t, '198.51.100.7, <script>, 203.0.113.9')).toBe('203.0.113.9');
      expect(await loginFrom(t, '198.51.100.7, 203.0.113.9')).toBe('198.51.100.7');
      expect(await loginFrom(t, '2001:db8::1')).toBe('2001:db8::1');
    });

    it('should take the address the trusted hops give with a hop count', async () => {
      const t = await start({ TRUST_PROXY: '1' });
      // One proxy of ours: what it saw is the last entry; the rest came from the client.
      expect(await loginFrom(t, '198.51.100.7, 203.0.113.9')).toBe('203.0.113.9');
      expect(await loginFrom(t, '=1+2')).toBe('127.0.0.1');
    });

    it('should trust only the listed proxy addresses and ranges', async () => {
      const listed = await start({ TRUST_PROXY: '127.0.0.0/8, ::1' });
      expect(await loginFrom(listed, '198.51.100.7, 203.0.113.9')).toBe('203.0.113.9');
      expect(await loginFrom(listed, '198.51.100.7, 127.0.0.5')).toBe('198.51.100.7');
      const elsewhere = await start({ TRUST_PROXY: '10.0.0.0/8' }, listed.databaseUrl);
      // The socket's peer (127.0.0.1) is not a listed proxy: its header is not believed.
      expect(await loginFrom(elsewhere, '198.51.100.7')).toBe('127.0.0.1');
    });
  });
});
