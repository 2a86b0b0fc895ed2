import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login } from '../factories/accounts.js';
import { requestJson, uniqueClientIp } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SEEDED_KEY = 'market-seeded-key-for-tests-0123456789';

describe('Service Market keys and /mt authentication', () => {
  let t: TestApp;
  let superAdmin: string;

  beforeAll(async () => {
    t = await startTestApp({
      env: { MARKET_API_KEYS: `${SEEDED_KEY}, second-seeded-key-abcdefghijkl` },
    });
    superAdmin = (await login(t, await createUser(t, { superAdmin: true }))).access_token;
  });

  afterAll(async () => {
    await t.close();
  });

  const mtStatus = (headers: Record<string, string>) =>
    requestJson(`${t.baseUrl}/mt/tenant/no_such_school/status`, { headers });

  it('should answer /mt/health without a key', async () => {
    const response = await requestJson(`${t.baseUrl}/mt/health`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'healthy' });
  });

  it('should accept a key seeded from MARKET_API_KEYS and a super admin token', async () => {
    expect((await mtStatus({ 'x-market-api-key': SEEDED_KEY })).status).toBe(404);
    expect((await mtStatus(bearer(superAdmin))).status).toBe(404);
  });

  it('should refuse a missing or wrong key with a 401 envelope', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { 'x-market-api-key': 'wrong' },
      { 'x-market-api-key': '' },
    ];
    for (const headers of attempts) {
      const response = await mtStatus({ ...headers, 'x-forwarded-for': uniqueClientIp() });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({
        error_code: 'MARKET_API_KEY_INVALID',
        request_id: expect.any(String),
      });
    }
  });

  it("should refuse a tenant admin's token and a tenant API key", async () => {
    const tenant = await createTenant(t);
    const admin = await login(t, await createUser(t, { tenant, role: 'admin' }));
    const refused = await mtStatus(bearer(admin.access_token));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error_code: 'MARKET_ACCESS_FORBIDDEN' });
    const created = await requestJson<{ key: string }>(`${t.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: { name: 'sync', scopes: ['audit:read'] },
    });
    const withApiKey = await mtStatus({ 'x-api-key': created.body.key });
    expect(withApiKey.status).toBe(401);
  });

  it('should create a key shown once, list it without the secret, and refuse it once revoked', async () => {
    const created = await requestJson<{ id: string; key: string; prefix: string }>(
      `${t.baseUrl}/api/v1/admin/market-keys`,
      { method: 'POST', headers: bearer(superAdmin), json: { name: 'Service Market prod' } },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^dsm_[A-Za-z0-9_-]{43}$/);
    expect((await mtStatus({ 'x-market-api-key': created.body.key })).status).toBe(404);

    const list = await requestJson<Array<Record<string, unknown>>>(
      `${t.baseUrl}/api/v1/admin/market-keys`,
      { headers: bearer(superAdmin) },
    );
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect(list.body.map((key) => key.source).sort()).toEqual(['admin', 'env', 'env']);

    const revoked = await requestJson(`${t.baseUrl}/api/v1/admin/market-keys/${created.body.id}`, {
      method: 'DELETE',
      headers: bearer(superAdmin),
    });
    expect(revoked.status).toBe(204);
    expect((await mtStatus({ 'x-market-api-key': created.body.key })).status).toBe(401);
    // The seeded keys still work: several are live at once for rotation.
    expect((await mtStatus({ 'x-market-api-key': SEEDED_KEY })).status).toBe(404);
  });

  it('should keep market keys for super admins', async () => {
    const tenant = await createTenant(t);
    const admin = await login(t, await createUser(t, { tenant, role: 'admin' }));
    for (const [method, path] of [
      ['GET', '/api/v1/admin/market-keys'],
      ['POST', '/api/v1/admin/market-keys'],
    ] as const) {
      const response = await requestJson(`${t.baseUrl}${path}`, {
        method,
        headers: bearer(admin.access_token),
        json: method === 'POST' ? { name: 'nope' } : undefined,
      });
      expect(response.status).toBe(403);
    }
    const bad = await requestJson(`${t.baseUrl}/api/v1/admin/market-keys`, {
      method: 'POST',
      headers: bearer(superAdmin),
      json: { name: 'x'.repeat(500) },
    });
    expect(bad.status).toBe(400);
  });

  it('should limit guessing: 429 after the failure budget', async () => {
    const ip = uniqueClientIp();
    let last = 0;
    for (let attempt = 0; attempt < 25; attempt += 1) {
      last = (await mtStatus({ 'x-market-api-key': `guess-${attempt}`, 'x-forwarded-for': ip }))
        .status;
    }
    expect(last).toBe(429);
  });
});

describe("the Service Market's own rate limit", () => {
  let t: TestApp;
  const key = 'market-budget-test-key-0123456789';

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        MARKET_API_KEYS: key,
        RATE_LIMIT_MARKET_LIMIT: '5',
        // A budget the market would exhaust at once if it shared the signed-in users' one.
        RATE_LIMIT_AUTHENTICATED_LIMIT: '2',
      },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should count market requests in their own budget, then answer 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof requestJson>> | undefined;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      last = await requestJson(`${t.baseUrl}/mt/tenant/no_such_school/status`, {
        headers: { 'x-market-api-key': key },
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
