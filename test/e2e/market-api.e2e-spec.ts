import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, uniqueEmail } from '../factories/accounts.js';
import { createClass } from '../factories/classes.js';
import { activateTenant, MARKET_KEY, market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('Service Market Standard API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: marketEnv });
  });

  afterAll(async () => {
    await t.close();
  });

  describe('limits', () => {
    it('should refuse a member beyond max_users, on the market and the admin routes', async () => {
      const tenant = await activateTenant(t, { settings: { max_users: 2 } });
      const admin = await createUser(t, { tenant, role: 'admin' });
      const first = await market(t, 'POST', `/mt/tenant/${tenant}/users`, {
        email: uniqueEmail(),
        name: 'First Member',
        role: 'student',
        send_welcome_email: false,
      });
      expect(first.status).toBe(201);
      const full = await market(t, 'POST', `/mt/tenant/${tenant}/users`, {
        email: uniqueEmail(),
        name: 'One Too Many',
        role: 'student',
      });
      expect(full.status).toBe(409);
      expect(full.body).toMatchObject({
        error_code: 'TENANT_USER_LIMIT_REACHED',
        details: { max_users: 2 },
      });
      const adminTokens = await login(t, admin);
      const viaAdmin = await requestJson(`${t.baseUrl}/api/v1/users`, {
        method: 'POST',
        headers: bearer(adminTokens.access_token),
        json: { username: `also.${Date.now()}`, full_name: 'Also Too Many', role: 'student' },
      });
      expect(viaAdmin.status).toBe(409);
      const [count] = await query<{ n: string }>(
        t.databaseUrl,
        `SELECT count(*) AS n FROM memberships WHERE tenant_id = $1`,
        [tenant],
      );
      expect(count?.n).toBe('2');
    });

    it('should hold max_users under concurrent additions', async () => {
      const tenant = await activateTenant(t, { settings: { max_users: 3 } });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, index) =>
          market(t, 'POST', `/mt/tenant/${tenant}/users`, {
            email: uniqueEmail(`race${index}`),
            name: `Racer ${index}`,
            role: 'student',
            send_welcome_email: false,
          }),
        ),
      );
      expect(results.filter((response) => response.status === 201)).toHaveLength(3);
      expect(results.filter((response) => response.status === 409)).toHaveLength(9);
    });

    it('should answer 403 TENANT_FEATURE_DISABLED on a disabled feature, and again once enabled', async () => {
      const tenant = await activateTenant(t);
      const admin = await login(t, await createUser(t, { tenant, role: 'admin' }));
      const key = await requestJson<{ key: string }>(`${t.baseUrl}/api/v1/api-keys`, {
        method: 'POST',
        headers: bearer(admin.access_token),
        json: { name: 'sync', scopes: ['audit:read'] },
      });
      expect(key.status).toBe(201);
      const off = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
        config: { features: { api_integration: false } },
      });
      expect(off.status).toBe(200);
      const keys = await requestJson(`${t.baseUrl}/api/v1/api-keys`, {
        headers: bearer(admin.access_token),
      });
      expect(keys.status).toBe(403);
      expect(keys.body).toMatchObject({
        error_code: 'TENANT_FEATURE_DISABLED',
        details: { feature: 'api_integration' },
      });
      const withKey = await requestJson(`${t.baseUrl}/api/v1/audit-logs`, {
        headers: { 'x-api-key': key.body.key },
      });
      expect(withKey.status).toBe(403);
      await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
        config: { features: { api_integration: true } },
      });
      const back = await requestJson(`${t.baseUrl}/api/v1/audit-logs`, {
        headers: { 'x-api-key': key.body.key },
      });
      expect(back.status).toBe(200);
    });

    it('should refuse a Google domain another school claims', async () => {
      const domain = `${Date.now()}.claimed.test`;
      const first = await activateTenant(t, { settings: { google_domains: [domain] } });
      const second = await activateTenant(t);
      const clash = await market(t, 'PUT', `/mt/tenant/${second}/settings`, {
        config: { google_domains: [domain] },
      });
      expect(clash.status).toBe(409);
      expect(clash.body).toMatchObject({ error_code: 'TENANT_GOOGLE_DOMAIN_TAKEN' });
      expect(first).not.toBe(second);
    });
  });

  describe('resources', () => {
    it('should list classes as courses in the seed shape, and no discussions or documents', async () => {
      const tenant = await activateTenant(t);
      const pupil = await createUser(t, { tenant, role: 'student' });
      const course = await createClass(t, {
        tenant,
        name: 'AI 개론',
        members: [{ userId: pupil.id, role: 'student' }],
      });
      const response = await market<{ items: unknown[] }>(
        t,
        'GET',
        `/mt/tenant/${tenant}/resources?type=course&limit=20`,
      );
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        tenant_id: tenant,
        resource_type: 'course',
        total: 1,
        limit: 20,
        offset: 0,
        items: [
          {
            id: course.id,
            title: 'AI 개론',
            created_by: null,
            created_at: expect.any(String),
            stats: { participants: 1, discussions: 0, documents: 0 },
          },
        ],
      });
      const discussions = await market(t, 'GET', `/mt/tenant/${tenant}/resources?type=discussion`);
      expect(discussions.body).toMatchObject({ resource_type: 'discussion', total: 0, items: [] });
    });
  });

  describe('compatibility paths (the old /api/tenant/... aliases)', () => {
    it('should answer like the standard routes, with Deprecation and Link headers', async () => {
      const tenant = await activateTenant(t);
      await createUser(t, { tenant, role: 'teacher' });
      await createClass(t, { tenant, name: 'Old path course' });
      const pairs: Array<[string, string]> = [
        [`/api/tenant/users/${tenant}`, `/mt/tenant/${tenant}/users`],
        [`/api/tenant/courses/${tenant}`, `/mt/tenant/${tenant}/resources?type=course`],
        [`/api/tenant/discussions/${tenant}`, `/mt/tenant/${tenant}/resources?type=discussion`],
      ];
      for (const [alias, standard] of pairs) {
        // The old paths took the key as X-API-Key.
        const old = await requestJson(`${t.baseUrl}${alias}`, {
          headers: { 'x-api-key': MARKET_KEY },
        });
        const current = await market(t, 'GET', standard);
        expect(old.status).toBe(200);
        expect(old.body).toEqual(current.body);
        expect(old.headers.get('deprecation')).toMatch(/^@\d+$/);
        expect(old.headers.get('link')).toBe(`<${standard}>; rel="successor-version"`);
      }
    });

    it('should provision through the old webhook, idempotently', async () => {
      const tenant = `legacy_${Date.now()}`;
      const body = { tenant_id: tenant, name: 'Legacy School', plan: 'basic' };
      const first = await market(t, 'POST', '/api/tenant/webhook/auto-provision', body);
      expect(first.status).toBe(201);
      expect(first.headers.get('link')).toBe(
        `</mt/tenant/${tenant}/activate>; rel="successor-version"`,
      );
      const again = await market(t, 'POST', '/api/tenant/webhook/auto-provision', body);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ tenant_id: tenant, result: 'unchanged' });
      const bad = await market(t, 'POST', '/api/tenant/webhook/auto-provision', { name: 'x' });
      expect(bad.status).toBe(400);
    });

    it('should not take a tenant API key for a market key on the old paths', async () => {
      const tenant = await activateTenant(t);
      const response = await requestJson(`${t.baseUrl}/api/tenant/users/${tenant}`, {
        headers: { 'x-api-key': 'dsk00000000_notamarketkeynotamarketkeynotamarketkey1' },
      });
      expect(response.status).toBe(401);
    });
  });

  describe('validation that names the rule', () => {
    it.each([
      ['2027-13-45', 'subscription.start_date'],
      ['2027-02-30', 'subscription.start_date'],
    ])('should refuse the impossible date %s', async (day, field) => {
      const tenant = await activateTenant(t);
      const response = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
        subscription: { start_date: day },
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        error_code: 'COMMON_VALIDATION_FAILED',
        details: {
          fields: [{ field, errors: ['start_date must be a real date as YYYY-MM-DD'] }],
        },
      });
    });

    it('should refuse a subscription that ends before it starts, against the stored start too', async () => {
      const refusedAtActivation = await market(
        t,
        'POST',
        `/mt/tenant/mt_order${Date.now()}/activate`,
        {
          name: 'Backwards School',
          subscription: { start_date: '2027-09-01', end_date: '2027-08-31' },
        },
      );
      expect(refusedAtActivation.status).toBe(400);
      expect(refusedAtActivation.body).toMatchObject({
        error_code: 'COMMON_VALIDATION_FAILED',
        details: { fields: [{ field: 'subscription.end_date' }] },
      });

      const tenant = await activateTenant(t, { subscription: { start_date: '2027-03-01' } });
      const refused = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
        subscription: { end_date: '2027-02-28' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        details: {
          fields: [
            {
              field: 'subscription.end_date',
              errors: ['end_date (2027-02-28) must not be before start_date (2027-03-01)'],
            },
          ],
        },
      });
      const accepted = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
        subscription: { end_date: '2028-02-29' },
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toMatchObject({
        subscription: { start_date: '2027-03-01', end_date: '2028-02-29' },
      });
    });

    it('should refuse max_users below the members the school has, with both numbers', async () => {
      const tenant = await activateTenant(t);
      for (const role of ['admin', 'teacher', 'student'] as const) {
        await createUser(t, { tenant, role });
      }
      const refused = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
        config: { max_users: 2 },
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({
        error_code: 'TENANT_MAX_USERS_BELOW_MEMBERS',
        details: { max_users: 2, members: 3 },
      });
      const settings = await market<{ config: { max_users: number | null } }>(
        t,
        'GET',
        `/mt/tenant/${tenant}/settings`,
      );
      expect(settings.body.config.max_users).toBeNull();
      const exact = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
        config: { max_users: 3 },
      });
      expect(exact.status).toBe(200);

      await market(t, 'POST', `/mt/tenant/${tenant}/deactivate`, {});
      const reactivated = await market(t, 'POST', `/mt/tenant/${tenant}/activate`, {
        name: 'Smaller School',
        settings: { max_users: 1 },
      });
      expect(reactivated.status).toBe(409);
      expect(reactivated.body).toMatchObject({
        error_code: 'TENANT_MAX_USERS_BELOW_MEMBERS',
        details: { max_users: 1, members: 3 },
      });
    });

    it('should name `from` when it is not a date, even without `to`', async () => {
      const tenant = await activateTenant(t);
      for (const query of [
        'from=garbage',
        'from=garbage&to=2026-01-31',
        'from=2026-02-30&to=2026-03-01',
      ]) {
        const response = await market(t, 'GET', `/mt/tenant/${tenant}/stats?${query}`);
        expect([query, response.status]).toEqual([query, 400]);
        expect(response.body).toMatchObject({
          error_code: 'COMMON_VALIDATION_FAILED',
          details: {
            fields: [{ field: 'from', errors: ['from must be a real date as YYYY-MM-DD'] }],
          },
        });
      }
    });

    it('should answer a user id that is not a UUID with COMMON_VALIDATION_FAILED naming it', async () => {
      const tenant = await activateTenant(t);
      const response = await market(t, 'GET', `/mt/tenant/${tenant}/users/not-a-uuid`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({
        error_code: 'COMMON_VALIDATION_FAILED',
        message: 'userId must be a UUID',
        details: { fields: [{ field: 'userId', errors: ['userId must be a UUID'] }] },
      });
    });
  });
});
