import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  bearer,
  createTenant,
  createUser,
  login,
  mailTo,
  tokenFromMail,
  uniqueEmail,
  type Tokens,
} from '../factories/accounts.js';
import { createSchool } from '../factories/classes.js';
import { market, marketEnv, MARKET_KEY } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface TenantSummary {
  tenant_id: string;
  name: string;
  status: string;
  plan: string | null;
  subscription: { plan: string | null; start_date: string | null; end_date: string | null };
  users: number;
  activated_at: string | null;
  deactivated_at: string | null;
  created_at: string;
  updated_at: string;
}
interface TenantPage {
  items: TenantSummary[];
  total: number;
  limit: number;
  offset: number;
}
interface Envelope {
  error_code: string;
  message: string;
  details?: { fields?: Array<{ field: string }> };
  timestamp: string;
  request_id: string;
}
type Answer = TenantPage & Partial<Envelope>;

const ENVELOPE = {
  error_code: 'COMMON_VALIDATION_FAILED',
  message: expect.any(String),
  timestamp: expect.any(String),
  request_id: expect.any(String),
};

/** [what is wrong, the query, the field the answer names] */
const BAD_QUERIES: Array<[string, string, string]> = [
  ['limit 0', 'limit=0', 'limit'],
  ['limit over 100', 'limit=101', 'limit'],
  ['limit not a number', 'limit=ten', 'limit'],
  ['negative offset', 'offset=-1', 'offset'],
  ['unknown status', 'status=closed', 'status'],
  ['malformed plan', 'plan=Not%20A%20Plan', 'plan'],
  ['empty q', 'q=', 'q'],
  ['q over 100 characters', `q=${'x'.repeat(101)}`, 'q'],
  ['unknown parameter', 'tenant=north', 'tenant'],
];

describe('tenant directory', () => {
  let t: TestApp;
  let superAdmin: Tokens;
  let school: Awaited<ReturnType<typeof createSchool>>;
  /** A word in the names of this file's own tenants, so filters see only them. */
  const tag = `Dir${Date.now().toString(36)}`;
  let lime: string;
  let linden: string;
  let larch: string;

  const adminList = (token: string, search = '') =>
    requestJson<Answer>(`${t.baseUrl}/api/v1/admin/tenants${search ? `?${search}` : ''}`, {
      headers: bearer(token),
    });
  const marketList = (search = '', headers?: Record<string, string>) =>
    market<Answer>(t, 'GET', `/mt/tenants${search ? `?${search}` : ''}`, undefined, headers);
  const ids = (page: TenantPage) => page.items.map((item) => item.tenant_id);

  beforeAll(async () => {
    t = await startTestApp({ env: marketEnv });
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
    school = await createSchool(t);
    lime = await createTenant(t, { name: `${tag} Lime 100% School` });
    linden = await createTenant(t, { name: `${tag} Linden Academy` });
    larch = await createTenant(t, { name: `${tag} Larch College`, status: 'deactivated' });
    await query(t.databaseUrl, `UPDATE tenants SET plan = 'premium' WHERE id = ANY($1)`, [
      [lime, larch],
    ]);
    await createUser(t, { tenant: lime, role: 'teacher' });
    await createUser(t, { tenant: lime, role: 'student' });
  });

  afterAll(async () => {
    await t.close();
  });

  describe('GET /api/v1/admin/tenants', () => {
    it('should list every school by name for a super admin, with its members and plan', async () => {
      const response = await adminList(superAdmin.access_token, `q=${tag}`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ total: 3, limit: 20, offset: 0 });
      expect(ids(response.body)).toEqual([larch, lime, linden]);
      expect(response.body.items[1]).toEqual({
        tenant_id: lime,
        name: `${tag} Lime 100% School`,
        status: 'active',
        plan: 'premium',
        subscription: { plan: 'premium', start_date: null, end_date: null, auto_renew: false },
        users: 2,
        activated_at: null,
        deactivated_at: null,
        deactivation_reason: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      const all = await adminList(superAdmin.access_token, 'limit=100');
      expect(ids(all.body)).toEqual(expect.arrayContaining([school.tenant, lime, linden, larch]));
      expect(all.body.total).toBe(all.body.items.length);
    });

    it('should find a school by part of its id or name, case-insensitively, % taken literally', async () => {
      expect(ids((await adminList(superAdmin.access_token, `q=${lime.slice(-6)}`)).body)).toEqual([
        lime,
      ]);
      const byName = await adminList(superAdmin.access_token, `q=${tag.toUpperCase()}%20LIN`);
      expect(ids(byName.body)).toEqual([linden]);
      expect(ids((await adminList(superAdmin.access_token, 'q=100%25')).body)).toEqual([lime]);
      const wildcard = await adminList(superAdmin.access_token, `q=${tag}%25Academy`);
      expect(wildcard.body).toMatchObject({ total: 0, items: [] });
    });

    it('should filter by status and plan', async () => {
      const active = await adminList(superAdmin.access_token, `q=${tag}&status=active`);
      expect(ids(active.body)).toEqual([lime, linden]);
      const deactivated = await adminList(superAdmin.access_token, `q=${tag}&status=deactivated`);
      expect(ids(deactivated.body)).toEqual([larch]);
      const premium = await adminList(superAdmin.access_token, `q=${tag}&plan=premium`);
      expect(ids(premium.body)).toEqual([larch, lime]);
      const both = await adminList(superAdmin.access_token, `q=${tag}&plan=premium&status=active`);
      expect(both.body).toMatchObject({ total: 1 });
      expect(ids(both.body)).toEqual([lime]);
    });

    it('should page through the matches in a stable order with the total on every page', async () => {
      const pages = await Promise.all(
        [0, 1, 2, 3].map((offset) =>
          adminList(superAdmin.access_token, `q=${tag}&limit=1&offset=${offset}`),
        ),
      );
      expect(pages.map((page) => page.body.total)).toEqual([3, 3, 3, 3]);
      expect(pages.map((page) => ids(page.body))).toEqual([[larch], [lime], [linden], []]);
      expect(pages[3]?.body).toMatchObject({ limit: 1, offset: 3 });
    });

    it.each([
      ['a school admin', () => school.admin.tokens.access_token],
      ['a teacher', () => school.teacher.tokens.access_token],
      ['a student', () => school.student.tokens.access_token],
    ])('should refuse %s', async (_who, token) => {
      const response = await adminList(token());
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ error_code: 'AUTH_FORBIDDEN' });
    });

    it('should refuse anonymous callers and the market key', async () => {
      const anonymous = await requestJson<Envelope>(`${t.baseUrl}/api/v1/admin/tenants`);
      expect(anonymous.status).toBe(401);
      const withMarketKey = await requestJson<Envelope>(`${t.baseUrl}/api/v1/admin/tenants`, {
        headers: { 'x-market-api-key': MARKET_KEY },
      });
      expect(withMarketKey.status).toBe(401);
    });

    it.each(BAD_QUERIES)('should refuse a %s with 400 (?%s)', async (_what, search, field) => {
      const response = await adminList(superAdmin.access_token, search);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject(ENVELOPE);
      expect(response.body.details?.fields?.map((entry) => entry.field)).toContain(field);
    });
  });

  describe('GET /mt/tenants', () => {
    it('should list the tenants for the market key, filtered and paged like the admin list', async () => {
      const response = await marketList(`q=${tag}&status=active&limit=1`);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ total: 2, limit: 1, offset: 0 });
      expect(response.body.items).toEqual([
        expect.objectContaining({ tenant_id: lime, users: 2, plan: 'premium' }),
      ]);
      const next = await marketList(`q=${tag}&status=active&limit=1&offset=1`);
      expect(ids(next.body)).toEqual([linden]);
    });

    it('should show a tenant as its status route does', async () => {
      const [listed] = (await marketList(`q=${lime}`)).body.items;
      const status = await market<Record<string, unknown>>(t, 'GET', `/mt/tenant/${lime}/status`);
      const { subscription: _subscription, ...sameFields } = listed ?? ({} as TenantSummary);
      expect(status.body).toMatchObject(sameFields);
    });

    it("should accept a super admin's bearer token instead of the key", async () => {
      const response = await requestJson<Answer>(`${t.baseUrl}/mt/tenants?q=${tag}`, {
        headers: bearer(superAdmin.access_token),
      });
      expect(response.status).toBe(200);
      expect(response.body.total).toBe(3);
    });

    it.each([
      ['a school admin', () => school.admin.tokens.access_token],
      ['a teacher', () => school.teacher.tokens.access_token],
    ])("should refuse %s's bearer token", async (_who, token) => {
      const response = await requestJson<Envelope>(`${t.baseUrl}/mt/tenants`, {
        headers: bearer(token()),
      });
      expect(response.status).toBe(403);
      expect(response.body.error_code).toBe('MARKET_ACCESS_FORBIDDEN');
    });

    it('should refuse a missing or wrong market key', async () => {
      const missing = await requestJson<Envelope>(`${t.baseUrl}/mt/tenants`);
      expect(missing.status).toBe(401);
      expect(missing.body.error_code).toBe('MARKET_API_KEY_INVALID');
      const wrong = await marketList('', { 'x-market-api-key': 'not-the-key' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error_code).toBe('MARKET_API_KEY_INVALID');
    });

    it.each(BAD_QUERIES)('should refuse a %s with 400 (?%s)', async (_what, search, field) => {
      const response = await marketList(search);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject(ENVELOPE);
      expect(response.body.details?.fields?.map((entry) => entry.field)).toContain(field);
    });
  });

  describe('invitations into any school', () => {
    interface Invitation {
      id: string;
      tenant_id: string;
      email: string;
      role: string;
      status: string;
    }
    const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
    const invite = (token: string, body: Record<string, unknown>) =>
      requestJson<Invitation & Partial<Envelope>>(api('/invitations'), {
        method: 'POST',
        headers: bearer(token),
        json: body,
      });

    it('should let a super admin invite into a school they are not a member of', async () => {
      const email = uniqueEmail('invited-by-platform');
      const created = await invite(superAdmin.access_token, {
        email,
        role: 'admin',
        tenant_id: linden,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ tenant_id: linden, email, role: 'admin' });
      const token = tokenFromMail(await mailTo(t, email, 'You are invited to'));
      const accepted = await requestJson(api('/invitations/accept'), {
        method: 'POST',
        json: { token, password: 'Seed-2026-garden', full_name: 'First Admin' },
      });
      expect(accepted.status).toBe(201);
      expect(accepted.body).toMatchObject({ tenant_id: linden, role: 'admin' });

      const listed = await requestJson<Invitation[]>(api(`/invitations?tenant_id=${linden}`), {
        headers: bearer(superAdmin.access_token),
      });
      expect(listed.body.map((item) => item.email)).toContain(email);
    });

    it("should let a super admin revoke another school's invitation", async () => {
      const created = await invite(school.admin.tokens.access_token, {
        email: uniqueEmail('revoked'),
        role: 'teacher',
      });
      expect(created.body.tenant_id).toBe(school.tenant);
      const revoked = await fetch(api(`/invitations/${created.body.id}`), {
        method: 'DELETE',
        headers: bearer(superAdmin.access_token),
      });
      expect(revoked.status).toBe(204);
      const listed = await requestJson<Invitation[]>(
        api(`/invitations?tenant_id=${school.tenant}`),
        { headers: bearer(superAdmin.access_token) },
      );
      expect(listed.body.find((item) => item.id === created.body.id)?.status).toBe('revoked');
    });

    it.each([
      ['no tenant_id (signed in to no school)', {}],
      ['an unknown tenant_id', { tenant_id: 'no_such_school' }],
      ['a malformed tenant_id', { tenant_id: 'Not A Tenant' }],
    ])('should refuse a super admin with %s, naming tenant_id', async (_case, extra) => {
      const response = await invite(superAdmin.access_token, {
        email: uniqueEmail('nowhere'),
        role: 'student',
        ...extra,
      });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject(ENVELOPE);
      expect(response.body.details?.fields?.map((entry) => entry.field)).toEqual(['tenant_id']);
    });

    it('should let a school admin name their own school only', async () => {
      const own = await invite(school.admin.tokens.access_token, {
        email: uniqueEmail('own'),
        role: 'student',
        tenant_id: school.tenant,
      });
      expect(own.status).toBe(201);
      const other = await invite(school.admin.tokens.access_token, {
        email: uniqueEmail('other'),
        role: 'student',
        tenant_id: lime,
      });
      expect(other.status).toBe(403);
      expect(other.body.error_code).toBe('COMMON_FORBIDDEN');
      const otherList = await requestJson<Envelope>(api(`/invitations?tenant_id=${lime}`), {
        headers: bearer(school.admin.tokens.access_token),
      });
      expect(otherList.status).toBe(403);
    });

    it("should hide another school's invitation from a school admin", async () => {
      const created = await invite(superAdmin.access_token, {
        email: uniqueEmail('elsewhere'),
        role: 'student',
        tenant_id: lime,
      });
      const revoked = await requestJson<Envelope>(api(`/invitations/${created.body.id}`), {
        method: 'DELETE',
        headers: bearer(school.admin.tokens.access_token),
      });
      expect(revoked.status).toBe(404);
      expect(revoked.body.error_code).toBe('INVITATION_NOT_FOUND');
    });

    it('should refuse a teacher naming any school', async () => {
      const response = await invite(school.teacher.tokens.access_token, {
        email: uniqueEmail('by-teacher'),
        role: 'student',
        tenant_id: school.tenant,
      });
      expect(response.status).toBe(403);
    });
  });
});
