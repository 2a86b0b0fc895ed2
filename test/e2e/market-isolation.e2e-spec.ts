import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type TestUser } from '../factories/accounts.js';
import { createClass } from '../factories/classes.js';
import { activateTenant, market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Route {
  method: string;
  path: string;
  json?: unknown;
}

/** Every Service Market route, for tenant `{t}` (and member `{u}` where there is one). */
function marketRoutes(t: string, u: string): Route[] {
  return [
    { method: 'POST', path: `/mt/tenant/${t}/activate`, json: { name: 'Some School' } },
    { method: 'POST', path: `/mt/tenant/${t}/deactivate`, json: { reason: 'test' } },
    { method: 'GET', path: `/mt/tenant/${t}/status` },
    { method: 'GET', path: `/mt/tenant/${t}/usage` },
    { method: 'GET', path: `/mt/tenant/${t}/limits` },
    { method: 'GET', path: `/mt/tenant/${t}/stats?period=90d` },
    { method: 'GET', path: `/mt/tenant/${t}/stats/costs?period=90d` },
    { method: 'GET', path: `/mt/tenant/${t}/stats/usage-patterns?period=90d` },
    { method: 'GET', path: `/mt/tenant/${t}/stats/top-users?period=90d` },
    { method: 'GET', path: `/mt/tenant/${t}/users` },
    {
      method: 'POST',
      path: `/mt/tenant/${t}/users`,
      json: { email: 'x@school.test', name: 'X Y', role: 'user' },
    },
    { method: 'GET', path: `/mt/tenant/${t}/users/${u}` },
    { method: 'PUT', path: `/mt/tenant/${t}/users/${u}`, json: { name: 'Changed Name' } },
    { method: 'DELETE', path: `/mt/tenant/${t}/users/${u}` },
    { method: 'GET', path: `/mt/tenant/${t}/settings` },
    { method: 'PUT', path: `/mt/tenant/${t}/settings`, json: { config: { max_users: 5 } } },
    { method: 'GET', path: `/mt/tenant/${t}/resources?type=course` },
    {
      method: 'POST',
      path: `/mt/tenant/${t}/usage-events`,
      json: {
        events: [
          {
            event_id: 'route-probe',
            user_id: null,
            session_id: null,
            kind: 'chat',
            model: 'gpt-4',
            input_tokens: 1,
            output_tokens: 1,
            occurred_at: new Date().toISOString(),
          },
        ],
      },
    },
    { method: 'GET', path: `/api/tenant/stats/${t}` },
    { method: 'GET', path: `/api/tenant/users/${t}` },
    { method: 'GET', path: `/api/tenant/courses/${t}` },
    { method: 'GET', path: `/api/tenant/discussions/${t}` },
    {
      method: 'POST',
      path: '/api/tenant/webhook/auto-provision',
      json: { tenant_id: t, name: 'Some School' },
    },
  ];
}

const READS = (t: string, u: string) =>
  marketRoutes(t, u).filter((route) => route.method === 'GET');

describe('Service Market: tenant isolation, access and bad input on every route', () => {
  let t: TestApp;
  let north: string;
  let south: string;
  let northMember: TestUser;
  let southMember: TestUser;
  let northClass: string;

  beforeAll(async () => {
    t = await startTestApp({ env: marketEnv });
    north = await activateTenant(t, { settings: { max_users: 50 } });
    south = await activateTenant(t);
    northMember = await createUser(t, { tenant: north, role: 'teacher' });
    southMember = await createUser(t, { tenant: south, role: 'student' });
    northClass = (await createClass(t, { tenant: north, name: 'North only course' })).id;
    await createClass(t, { tenant: south, name: 'South course' });
    const ingest = await market(t, 'POST', `/mt/tenant/${north}/usage-events`, {
      events: [
        {
          event_id: 'north-secret-event',
          user_id: northMember.id,
          session_id: 'north-session',
          kind: 'chat',
          model: 'gpt-4',
          input_tokens: 700,
          output_tokens: 300,
          occurred_at: new Date(Date.now() - 3600_000).toISOString(),
        },
      ],
    });
    expect(ingest.body).toMatchObject({ accepted: 1 });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should never show one tenant anything of another through any read', async () => {
    for (const route of READS(south, southMember.id)) {
      const response = await market(t, route.method, route.path);
      expect([route.path, response.status]).toEqual([route.path, 200]);
      const text = JSON.stringify(response.body);
      for (const secret of [north, northMember.id, northMember.email, northClass]) {
        expect([route.path, text.includes(secret)]).toEqual([route.path, false]);
      }
    }
    const southStats = await market<{ summary: Record<string, number> }>(
      t,
      'GET',
      `/mt/tenant/${south}/stats?period=7d`,
    );
    expect(southStats.body.summary).toMatchObject({ total_messages: 0, total_tokens: 0 });
  });

  it("should not read, change or remove another tenant's member through this tenant's path", async () => {
    for (const [method, json] of [
      ['GET', undefined],
      ['PUT', { name: 'Hijacked', role: 'admin' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await market(t, method, `/mt/tenant/${south}/users/${northMember.id}`, json);
      expect([method, response.status]).toEqual([method, 404]);
    }
    const [row] = await query<{ full_name: string; role: string }>(
      t.databaseUrl,
      `SELECT u.full_name, m.role FROM users u JOIN memberships m ON m.user_id = u.id
       WHERE u.id = $1 AND m.tenant_id = $2`,
      [northMember.id, north],
    );
    expect(row).toEqual({ full_name: 'Test Person', role: 'teacher' });
  });

  it("should not count usage for another tenant's member", async () => {
    const response = await market(t, 'POST', `/mt/tenant/${south}/usage-events`, {
      events: [
        {
          event_id: 'cross-tenant',
          user_id: northMember.id,
          session_id: null,
          kind: 'chat',
          model: 'gpt-4',
          input_tokens: 1,
          output_tokens: 1,
          occurred_at: new Date().toISOString(),
        },
      ],
    });
    expect(response.body).toMatchObject({
      accepted: 0,
      rejected: [{ event_id: 'cross-tenant', reason: 'user_not_member' }],
    });
  });

  it('should leave a tenant alone when another one changes', async () => {
    const before = await market(t, 'GET', `/mt/tenant/${north}/settings`);
    await market(t, 'PUT', `/mt/tenant/${south}/settings`, {
      config: { max_users: 7, features: { rag: false } },
    });
    const after = await market(t, 'GET', `/mt/tenant/${north}/settings`);
    expect(after.body).toEqual(before.body);
    const other = await activateTenant(t);
    await market(t, 'POST', `/mt/tenant/${other}/deactivate`, {});
    const status = await market(t, 'GET', `/mt/tenant/${north}/status`);
    expect(status.body).toMatchObject({ status: 'active' });
  });

  it('should refuse tenant admins, teachers and students, even for their own tenant (403)', async () => {
    const admin = await login(t, await createUser(t, { tenant: north, role: 'admin' }));
    const student = await login(t, await createUser(t, { tenant: north, role: 'student' }));
    for (const token of [admin.access_token, student.access_token]) {
      for (const route of marketRoutes(north, northMember.id)) {
        const response = await requestJson(`${t.baseUrl}${route.path}`, {
          method: route.method,
          headers: bearer(token),
          json: route.json,
        });
        expect([route.method, route.path, response.status]).toEqual([
          route.method,
          route.path,
          403,
        ]);
        expect(response.body).toMatchObject({ error_code: 'MARKET_ACCESS_FORBIDDEN' });
      }
    }
  });

  it('should refuse every route without credentials (401)', async () => {
    for (const route of marketRoutes(north, northMember.id)) {
      const response = await requestJson(`${t.baseUrl}${route.path}`, {
        method: route.method,
        json: route.json,
      });
      expect([route.path, response.status]).toEqual([route.path, 401]);
    }
  });

  it('should answer 404 TENANT_NOT_FOUND for an unknown tenant (except activation)', async () => {
    const ghost = 'never_activated_school';
    for (const route of marketRoutes(ghost, northMember.id)) {
      if (route.path.endsWith('/activate') || route.path.includes('auto-provision')) {
        continue;
      }
      const response = await market(t, route.method, route.path, route.json);
      expect([route.path, response.status]).toEqual([route.path, 404]);
      expect(response.body).toMatchObject({ error_code: 'TENANT_NOT_FOUND' });
    }
  });

  it('should answer bad input with a 400 envelope on every route, and write nothing', async () => {
    const digest = async () =>
      (
        await query<{ digest: string }>(
          t.databaseUrl,
          `SELECT md5(string_agg(row_to_json(x)::text, '' ORDER BY x.id)) AS digest FROM (
             SELECT id, name, status, settings::text, plan FROM tenants
             UNION ALL SELECT user_id::text, tenant_id, role, status, username FROM memberships
             UNION ALL SELECT event_id, tenant_id, model, kind, cost_usd::text FROM usage_events
           ) x(id, a, b, c, d)`,
        )
      )[0]?.digest;
    const before = await digest();
    const bad: Route[] = [
      { method: 'GET', path: '/mt/tenant/Not-A-Tenant!/status' },
      { method: 'GET', path: `/mt/tenant/${'x'.repeat(80)}/status` },
      { method: 'POST', path: `/mt/tenant/${north}/activate`, json: { name: 7 } },
      {
        method: 'POST',
        path: `/mt/tenant/${north}/activate`,
        json: { name: 'Ok', plan: 'BAD PLAN' },
      },
      {
        method: 'POST',
        path: `/mt/tenant/${north}/activate`,
        json: { name: 'Ok', settings: { max_users: -1 } },
      },
      { method: 'POST', path: `/mt/tenant/${north}/deactivate`, json: { reason: 'x'.repeat(600) } },
      { method: 'POST', path: `/mt/tenant/${north}/deactivate`, json: { unknown: true } },
      { method: 'GET', path: `/mt/tenant/${north}/stats?period=1y` },
      { method: 'GET', path: `/mt/tenant/${north}/stats?from=2026-02-30&to=2026-03-01` },
      { method: 'GET', path: `/mt/tenant/${north}/stats/costs?from=2026-03-02&to=2026-03-01` },
      { method: 'GET', path: `/mt/tenant/${north}/stats/usage-patterns?period=` },
      { method: 'GET', path: `/mt/tenant/${north}/stats/top-users?limit=1000` },
      { method: 'GET', path: `/mt/tenant/${north}/users?limit=0` },
      { method: 'GET', path: `/mt/tenant/${north}/users?role=owner` },
      {
        method: 'POST',
        path: `/mt/tenant/${north}/users`,
        json: { email: 'not-an-email', name: 'A B', role: 'user' },
      },
      {
        method: 'POST',
        path: `/mt/tenant/${north}/users`,
        json: { email: 'ok@school.test', name: 'A B', role: 'user', password: 'weak' },
      },
      { method: 'GET', path: `/mt/tenant/${north}/users/not-a-uuid` },
      { method: 'PUT', path: `/mt/tenant/${north}/users/${northMember.id}`, json: {} },
      {
        method: 'PUT',
        path: `/mt/tenant/${north}/users/${northMember.id}`,
        json: { status: 'gone' },
      },
      { method: 'DELETE', path: `/mt/tenant/${north}/users/1234` },
      {
        method: 'PUT',
        path: `/mt/tenant/${north}/settings`,
        json: { config: { max_users: 'many' } },
      },
      {
        method: 'PUT',
        path: `/mt/tenant/${north}/settings`,
        json: { config: { branding: { logo_url: 'javascript:alert(1)' } } },
      },
      {
        method: 'PUT',
        path: `/mt/tenant/${north}/settings`,
        json: {
          config: { model_prices: { 'gpt-4': { input_per_1k_usd: -1, output_per_1k_usd: 1 } } },
        },
      },
      {
        method: 'PUT',
        path: `/mt/tenant/${north}/settings`,
        json: { subscription: { end_date: 'soon' } },
      },
      { method: 'GET', path: `/mt/tenant/${north}/resources?type=video` },
      { method: 'POST', path: `/mt/tenant/${north}/usage-events`, json: { events: 'many' } },
      {
        method: 'POST',
        path: `/mt/tenant/${north}/usage-events`,
        json: { events: Array.from({ length: 1001 }, (_, i) => ({ event_id: `e${i}` })) },
      },
      { method: 'GET', path: `/api/tenant/courses/${north}?type=discussion` },
      { method: 'POST', path: '/api/tenant/webhook/auto-provision', json: { name: 'No id' } },
      { method: 'POST', path: `/mt/tenant/${north}/activate`, json: 'a string' },
      {
        method: 'PUT',
        path: `/mt/tenant/${north}/settings`,
        json: { config: { features: { rag: 'yes\u0000' } } },
      },
    ];
    for (const route of bad) {
      const response = await market(t, route.method, route.path, route.json);
      expect([route.method, route.path, response.status]).toEqual([route.method, route.path, 400]);
      expect(Object.keys(response.body).sort()).toEqual([
        'details',
        'error_code',
        'message',
        'request_id',
        'timestamp',
      ]);
    }
    expect(await digest()).toBe(before);
  });
});
