import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login, type Tokens } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Page {
  items: Array<{ id: string; tenant_id: string | null; action: string; created_at: string }>;
  next_cursor: string | null;
}

describe('audit trail API', () => {
  let t: TestApp;
  let north: string;
  let south: string;
  let northAdmin: Tokens;
  let northTeacher: Tokens;
  let southAdmin: Tokens;
  let superAdmin: Tokens;
  const list = (token: string, params = '') =>
    requestJson<Page & { error_code?: string }>(`${t.baseUrl}/api/v1/audit-logs${params}`, {
      headers: bearer(token),
    });

  beforeAll(async () => {
    t = await startTestApp();
    north = await createTenant(t);
    south = await createTenant(t);
    northAdmin = await login(t, await createUser(t, { tenant: north, role: 'admin' }));
    northTeacher = await login(t, await createUser(t, { tenant: north, role: 'teacher' }));
    southAdmin = await login(t, await createUser(t, { tenant: south, role: 'admin' }));
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
    // 120 records in each school, minted directly, plus the sign-ins above.
    await query(
      t.databaseUrl,
      `INSERT INTO audit_logs (actor_type, actor_id, tenant_id, action, resource_type, outcome,
                               status_code, user_agent, metadata, created_at)
       SELECT 'user', 'seed', t.id, 'seed.action', 'thing',
              CASE WHEN g % 3 = 0 THEN 'failure' ELSE 'success' END, 200,
              'Mozilla/5.0 (X11);=cmd|'' /C calc''!A0',
              jsonb_build_object('n', g, 'note', '=HYPERLINK("x")'),
              now() - g * interval '1 second'
       FROM generate_series(1, 120) g CROSS JOIN (VALUES ($1), ($2)) AS t(id)`,
      [north, south],
    );
    await waitFor(async () => {
      const rows = await query(
        t.databaseUrl,
        `SELECT 1 FROM audit_logs WHERE action = 'auth.login' AND tenant_id = $1`,
        [north],
      );
      return rows.length >= 2;
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it("should show a tenant admin their own school's records, page by page without gaps", async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(
        northAdmin.access_token,
        `?limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      for (const item of page.body.items) {
        expect(item.tenant_id).toBe(north);
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
      }
      const times = page.body.items.map((item) => item.created_at);
      expect([...times].sort().reverse()).toEqual(times);
      cursor = page.body.next_cursor;
      pages += 1;
    } while (cursor);
    const [count] = await query<{ count: string }>(
      t.databaseUrl,
      `SELECT count(*) FROM audit_logs WHERE tenant_id = $1`,
      [north],
    );
    expect(seen.size).toBe(Number(count?.count));
    expect(pages).toBeGreaterThanOrEqual(3);
  });

  it('should name the person who signed in, and the school, on sign-in records', async () => {
    const page = await list(northAdmin.access_token, '?action=auth.login');
    expect(page.body.items.length).toBeGreaterThanOrEqual(2);
    expect(page.body.items.every((item) => item.tenant_id === north)).toBe(true);
  });

  it('should filter by outcome, action and time range', async () => {
    const failures = await list(
      northAdmin.access_token,
      '?action=seed.action&outcome=failure&limit=100',
    );
    expect(failures.body.items).toHaveLength(40);
    const from = new Date(Date.now() - 30_500).toISOString();
    const recent = await list(
      northAdmin.access_token,
      `?action=seed.action&from=${encodeURIComponent(from)}&limit=100`,
    );
    expect(recent.body.items.length).toBeGreaterThanOrEqual(29);
    expect(recent.body.items.length).toBeLessThanOrEqual(31);
  });

  it('should let a super admin read everything or one school', async () => {
    const all = await list(superAdmin.access_token, '?action=seed.action&limit=100');
    expect(new Set(all.body.items.map((item) => item.tenant_id)).size).toBe(2);
    const one = await list(superAdmin.access_token, `?tenant_id=${south}&limit=100`);
    expect(one.body.items.every((item) => item.tenant_id === south)).toBe(true);
  });

  it('should refuse other roles (403) and other schools (403)', async () => {
    const teacher = await list(northTeacher.access_token);
    expect(teacher.status).toBe(403);
    expect(teacher.body.error_code).toBe('AUTH_FORBIDDEN');
    const otherSchool = await list(northAdmin.access_token, `?tenant_id=${south}`);
    expect(otherSchool.status).toBe(403);
    expect((await requestJson(`${t.baseUrl}/api/v1/audit-logs`)).status).toBe(401);
  });

  it.each(
    [
      '?limit=0',
      '?limit=101',
      '?limit=ten',
      '?cursor=not*a*cursor',
      `?cursor=${Buffer.from('2026-01-01|nope').toString('base64url')}`,
      '?from=yesterday',
      '?outcome=maybe',
      '?format=xml',
      '?unknown=1',
      '?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z',
      `?action=${'x'.repeat(10_000)}`,
    ].map((params) => [
      params.length > 80 ? `${params.slice(0, 20)}… (${params.length} chars)` : params,
      params,
    ]),
  )('should answer %s with a 400 envelope', async (_label, params) => {
    const response = await list(southAdmin.access_token, params);
    expect(response.status).toBe(400);
    expect(response.body.error_code).toBe('COMMON_VALIDATION_FAILED');
  });

  it('should stream a CSV export of exactly the records the admin may see', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/audit-logs?format=csv&action=seed.action`, {
      headers: bearer(southAdmin.access_token),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toContain(`audit-logs-${south}-`);
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      '"id","created_at","tenant_id","actor_type","actor_id","on_behalf_of","action","resource_type","resource_id","outcome","status_code","ip","user_agent","request_id","metadata"',
    );
    expect(lines).toHaveLength(121);
    expect(lines.slice(1).every((line) => line.includes(`,"${south}",`))).toBe(true);
  });

  it('should export a formula inside a field as text, whatever the spreadsheet splits on', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/audit-logs?format=csv&action=seed.action`, {
      headers: bearer(southAdmin.access_token),
    });
    const lines = (await response.text()).trim().split('\r\n').slice(1);
    expect(lines.every((line) => line.includes(`"Mozilla/5.0 (X11);'=cmd|' /C calc'!A0"`))).toBe(
      true,
    );
    // Split on any separator a spreadsheet may use: no cell starts with a formula character.
    const cells = lines.flatMap((line) => line.split(/[,;\t]/));
    expect(cells.filter((cell) => /^"?[ ]*[=+\-@]/.test(cell))).toEqual([]);
  });
});
