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
import { activateTenant, market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor, type JsonResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface AuditRow {
  tenant_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  outcome: string;
  metadata: { body: Record<string, unknown> | null };
}

interface AuditPage {
  items: Array<{ action: string; resource_id: string | null; created_at: string }>;
}

const ISO_MILLISECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('what an audit record names', () => {
  let t: TestApp;
  let school: string;
  let admin: Tokens;
  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const recordOf = (response: JsonResponse<unknown>) =>
    waitFor(async () => {
      const [row] = await query<AuditRow>(
        t.databaseUrl,
        'SELECT * FROM audit_logs WHERE request_id = $1',
        [response.headers.get('x-request-id')],
      );
      return row;
    });

  beforeAll(async () => {
    t = await startTestApp({ env: marketEnv });
    school = await createTenant(t);
    admin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
  });

  afterAll(async () => {
    await t.close();
  });

  it("should name the school on a market activation and deactivation, and show them to the school's admin", async () => {
    const tenant = await activateTenant(t);
    const schoolAdmin = await createUser(t, { tenant, role: 'admin' });
    const deactivated = await market(t, 'POST', `/mt/tenant/${tenant}/deactivate`, {
      reason: 'contract ended',
    });
    expect(deactivated.status).toBe(200);
    expect(await recordOf(deactivated)).toMatchObject({
      tenant_id: tenant,
      action: 'tenant.deactivated',
      resource_type: 'tenant',
      resource_id: tenant,
      outcome: 'success',
    });
    const reactivated = await market(t, 'POST', `/mt/tenant/${tenant}/activate`, {
      name: 'Reopened',
      plan: 'premium',
    });
    expect(reactivated.status).toBe(200);
    expect(await recordOf(reactivated)).toMatchObject({
      tenant_id: tenant,
      action: 'tenant.activated',
      resource_id: tenant,
    });

    const [created] = await query<AuditRow>(
      t.databaseUrl,
      `SELECT * FROM audit_logs WHERE action = 'tenant.activated' AND resource_id = $1
       ORDER BY created_at LIMIT 1`,
      [tenant],
    );
    expect(created).toMatchObject({ tenant_id: tenant, outcome: 'success' });

    const again = await login(t, schoolAdmin);
    const page = await requestJson<AuditPage>(api('/audit-logs?actor_type=market'), {
      headers: bearer(again.access_token),
    });
    expect(page.status).toBe(200);
    expect(page.body.items.map((item) => [item.action, item.resource_id])).toEqual(
      expect.arrayContaining([
        ['tenant.activated', tenant],
        ['tenant.deactivated', tenant],
      ]),
    );
  });

  it('should store a settings change as sent: token counters are not secrets', async () => {
    const tenant = await activateTenant(t);
    const updated = await market(t, 'PUT', `/mt/tenant/${tenant}/settings`, {
      config: { limits: { daily_tokens: 50_000, monthly_tokens: 1_000_000 } },
    });
    expect(updated.status).toBe(200);
    const row = await recordOf(updated);
    expect(row).toMatchObject({
      tenant_id: tenant,
      action: 'tenant.settings_updated',
      resource_id: tenant,
    });
    expect(row.metadata.body).toEqual({
      config: { limits: { daily_tokens: 50_000, monthly_tokens: 1_000_000 } },
    });
  });

  it('should name the school and the new account of a member the market adds', async () => {
    const tenant = await activateTenant(t);
    const created = await market<{ user_id: string }>(t, 'POST', `/mt/tenant/${tenant}/users`, {
      email: uniqueEmail('market'),
      name: 'Market Member',
      role: 'teacher',
      password: 'Market-2026-garden',
    });
    expect(created.status).toBe(201);
    const row = await recordOf(created);
    expect(row).toMatchObject({
      tenant_id: tenant,
      action: 'user.created',
      resource_type: 'user',
      resource_id: created.body.user_id,
    });
    expect(row.metadata.body).toMatchObject({ password: '[redacted]', role: 'teacher' });
    expect(JSON.stringify(row)).not.toContain('Market-2026-garden');
  });

  it('should name the invitation when the market adds an email that has an account', async () => {
    const tenant = await activateTenant(t);
    const existing = await createUser(t);
    const invited = await market(t, 'POST', `/mt/tenant/${tenant}/users`, {
      email: existing.email,
      name: 'Has An Account',
      role: 'student',
    });
    expect(invited.status).toBe(202);
    const [invitation] = await query<{ id: string }>(
      t.databaseUrl,
      'SELECT id FROM invitations WHERE tenant_id = $1 AND email = $2',
      [tenant, existing.email],
    );
    expect(await recordOf(invited)).toMatchObject({
      tenant_id: tenant,
      action: 'user.created',
      resource_type: 'invitation',
      resource_id: invitation?.id,
    });
  });

  it('should name the class, the API key and the invitation an admin creates', async () => {
    const classCreated = await requestJson<{ id: string }>(api('/classes'), {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: { name: 'Audit 101' },
    });
    expect(classCreated.status).toBe(201);
    expect(await recordOf(classCreated)).toMatchObject({
      tenant_id: school,
      action: 'class.created',
      resource_type: 'class',
      resource_id: classCreated.body.id,
    });

    const key = await requestJson<{ id: string; key: string }>(api('/api-keys'), {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: { name: 'Audit sync', scopes: ['audit:read'] },
    });
    expect(key.status).toBe(201);
    const keyRow = await recordOf(key);
    expect(keyRow).toMatchObject({
      tenant_id: school,
      action: 'api_key.created',
      resource_id: key.body.id,
    });
    expect(JSON.stringify(keyRow)).not.toContain(key.body.key);

    const invitation = await requestJson<{ id: string }>(api('/invitations'), {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: { email: uniqueEmail('invited'), role: 'teacher' },
    });
    expect(invitation.status).toBe(201);
    expect(await recordOf(invitation)).toMatchObject({
      tenant_id: school,
      action: 'invitation.created',
      resource_id: invitation.body.id,
    });
  });

  it("should name the school and the invitation on an acceptance, in the school's trail", async () => {
    const email = uniqueEmail('accepting');
    const invitation = await requestJson<{ id: string }>(api('/invitations'), {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: { email, role: 'student' },
    });
    const token = tokenFromMail(await mailTo(t, email, 'You are invited to'));
    const accepted = await requestJson(api('/invitations/accept'), {
      method: 'POST',
      json: { token, password: 'Accept-2026-garden', full_name: 'New Pupil' },
    });
    expect(accepted.status).toBe(201);
    const row = await recordOf(accepted);
    expect(row).toMatchObject({
      tenant_id: school,
      action: 'invitation.accepted',
      resource_type: 'invitation',
      resource_id: invitation.body.id,
    });
    expect(row.metadata.body).toMatchObject({ token: '[redacted]', password: '[redacted]' });
  });

  it('should redact a refresh token in the body', async () => {
    const refreshed = await requestJson(api('/auth/refresh'), {
      method: 'POST',
      json: { refresh_token: admin.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    const row = await recordOf(refreshed);
    expect(row.metadata.body).toEqual({ refresh_token: '[redacted]' });
    expect(JSON.stringify(row)).not.toContain(admin.refresh_token);
  });

  it('should not store an unknown username, which may be a password typed in the wrong field', async () => {
    const failed = await requestJson(api('/auth/login'), {
      method: 'POST',
      json: { tenant_id: school, username: 'Seed-2026-garden', password: 'whatever-1' },
    });
    expect(failed.status).toBe(401);
    const [row] = await waitFor(() =>
      query<AuditRow & { metadata: { identifier: string } }>(
        t.databaseUrl,
        `SELECT * FROM audit_logs WHERE action = 'auth.login_failed' AND request_id = $1`,
        [failed.headers.get('x-request-id')],
      ).then((rows) => (rows.length > 0 ? rows : undefined)),
    );
    expect(row?.metadata.identifier).toBe(`${school}/[redacted]`);
    expect(JSON.stringify(row)).not.toContain('seed-2026-garden');
  });

  it('should write created_at as every other timestamp of the API, in pages and in CSV', async () => {
    const page = await requestJson<AuditPage>(api('/audit-logs?limit=5'), {
      headers: bearer(admin.access_token),
    });
    expect(page.body.items.length).toBeGreaterThan(0);
    for (const item of page.body.items) {
      expect(item.created_at).toMatch(ISO_MILLISECONDS);
      expect(new Date(item.created_at).toISOString()).toBe(item.created_at);
    }
    const csv = await fetch(api('/audit-logs?format=csv'), { headers: bearer(admin.access_token) });
    const [, first] = (await csv.text()).split('\r\n');
    expect(first?.split(',')[1]?.replace(/"/g, '')).toMatch(ISO_MILLISECONDS);
  });
});
