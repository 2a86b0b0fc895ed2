import { afterEach, describe, expect, it } from '@jest/globals';
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
});
