import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, mailTo, uniqueEmail, type Tokens } from '../factories/accounts.js';
import { market, marketEnv, marketTenantId } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The Service Market's own test suite (the calls it makes and the shapes it reads), played against the real app. */
describe('Service Market contract', () => {
  let t: TestApp;
  const tenantId = marketTenantId('contract');

  beforeAll(async () => {
    t = await startTestApp({ env: marketEnv });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should activate a tenant, idempotently, and invite its first admin', async () => {
    const adminEmail = uniqueEmail('first-admin');
    const body = {
      name: 'Hallym University',
      plan: 'premium',
      settings: { max_users: 100, features: { quiz: false } },
      subscription: { start_date: '2025-09-01', end_date: '2026-08-31', auto_renew: true },
      admin_email: adminEmail,
      admin_name: 'Park Jiwoo',
    };
    const created = await market(t, 'POST', `/mt/tenant/${tenantId}/activate`, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      tenant_id: tenantId,
      status: 'active',
      plan: 'premium',
      result: 'created',
      admin_invitation: { email: adminEmail },
    });
    const mail = await mailTo(t, adminEmail, 'You are invited');
    expect(mail).toContain('Hello Park Jiwoo');

    const again = await market(t, 'POST', `/mt/tenant/${tenantId}/activate`, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ result: 'unchanged', admin_invitation: null });
    const rows = await query(t.databaseUrl, `SELECT 1 FROM tenants WHERE id = $1`, [tenantId]);
    expect(rows).toHaveLength(1);
    const invitations = await query(t.databaseUrl, `SELECT 1 FROM invitations WHERE email = $1`, [
      adminEmail,
    ]);
    expect(invitations).toHaveLength(1);
  });

  let userId: string;
  const email = uniqueEmail('market-user');
  const password = 'Market-Temp-2026!';

  it('should create a user (201, the seed shape)', async () => {
    const response = await market(t, 'POST', `/mt/tenant/${tenantId}/users`, {
      email,
      name: 'Shin Gyuri',
      role: 'user',
      password,
      send_welcome_email: false,
    });
    expect(response.status).toBe(201);
    expect(Object.keys(response.body).sort()).toEqual(
      ['created_at', 'email', 'name', 'role', 'status', 'temporary_password', 'user_id'].sort(),
    );
    expect(response.body).toMatchObject({
      email,
      name: 'Shin Gyuri',
      role: 'student',
      status: 'active',
      temporary_password: true,
    });
    userId = response.body.user_id as string;
  });

  it('should read the user and the list, with usage', async () => {
    const one = await market(t, 'GET', `/mt/tenant/${tenantId}/users/${userId}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      user_id: userId,
      email,
      role: 'student',
      usage: { sessions: 0, messages: 0, tokens: 0 },
    });
    const list = await market<{ total: number; users: Array<{ user_id: string }> }>(
      t,
      'GET',
      `/mt/tenant/${tenantId}/users?role=user&limit=20&offset=0`,
    );
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ tenant_id: tenantId, total: 1, limit: 20, offset: 0 });
    expect(list.body.users.map((user) => user.user_id)).toEqual([userId]);
  });

  it('should update the user (200)', async () => {
    const response = await market(t, 'PUT', `/mt/tenant/${tenantId}/users/${userId}`, {
      name: 'Shin Gyu-ri',
      role: 'teacher',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ name: 'Shin Gyu-ri', role: 'teacher' });
  });

  it('should read stats with summary.total_users matching the members', async () => {
    const response = await market<{ summary: Record<string, number> }>(
      t,
      'GET',
      `/mt/tenant/${tenantId}/stats?period=30d`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      tenant_id: tenantId,
      period: '30d',
      summary: {
        total_users: 1,
        active_users: 0,
        total_sessions: 0,
        total_messages: 0,
        total_tokens: 0,
        estimated_cost_usd: 0,
      },
      health: { status: 'healthy' },
    });
  });

  it('should ingest usage events once, and move stats, costs and top users by exactly that', async () => {
    const now = Date.now();
    const events = [
      { model: 'gpt-4', input_tokens: 1000, output_tokens: 500, session_id: 'chat-1' },
      { model: 'gpt-4', input_tokens: 2000, output_tokens: 1000, session_id: 'chat-1' },
      { model: 'gpt-4o-mini', input_tokens: 10000, output_tokens: 2000, session_id: 'chat-2' },
    ].map((event, index) => ({
      event_id: `contract-${tenantId}-${index}`,
      user_id: userId,
      kind: 'chat',
      occurred_at: new Date(now - (index + 1) * 60_000).toISOString(),
      ...event,
    }));
    const first = await market(t, 'POST', `/mt/tenant/${tenantId}/usage-events`, { events });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: 3, accepted: 3, duplicates: 0, rejected: [] });
    const again = await market(t, 'POST', `/mt/tenant/${tenantId}/usage-events`, { events });
    expect(again.body).toMatchObject({ received: 3, accepted: 0, duplicates: 3 });

    // gpt-4: 3,000 in × 0.03 + 1,500 out × 0.06 per 1k = 0.18; gpt-4o-mini: 0.0015 + 0.0012.
    const gpt4 = 0.18;
    const mini = 0.0027;
    const stats = await market<{ summary: Record<string, number> }>(
      t,
      'GET',
      `/mt/tenant/${tenantId}/stats?period=7d`,
    );
    expect(stats.body.summary).toMatchObject({
      total_users: 1,
      active_users: 1,
      total_sessions: 2,
      total_messages: 3,
      total_tokens: 16500,
      estimated_cost_usd: Math.round((gpt4 + mini) * 100) / 100,
    });
    const costs = await market<{
      by_model: Array<Record<string, unknown>>;
      by_user_top10: Array<Record<string, unknown>>;
    }>(t, 'GET', `/mt/tenant/${tenantId}/stats/costs?period=7d`);
    expect(costs.body.by_model).toEqual(
      expect.arrayContaining([
        { model: 'gpt-4', input_tokens: 3000, output_tokens: 1500, cost_usd: gpt4 },
        { model: 'gpt-4o-mini', input_tokens: 10000, output_tokens: 2000, cost_usd: 0 },
      ]),
    );
    expect(costs.body.by_user_top10).toEqual([
      expect.objectContaining({ user_id: userId, name: 'Shin Gyu-ri', tokens: 16500 }),
    ]);
    const top = await market<{ users: Array<Record<string, unknown>> }>(
      t,
      'GET',
      `/mt/tenant/${tenantId}/stats/top-users?period=7d`,
    );
    expect(top.body.users).toEqual([
      expect.objectContaining({ user_id: userId, messages: 3, tokens: 16500 }),
    ]);
    const member = await market(t, 'GET', `/mt/tenant/${tenantId}/users/${userId}`);
    expect(member.body).toMatchObject({ usage: { sessions: 2, messages: 3, tokens: 16500 } });
    const usage = await market(t, 'GET', `/mt/tenant/${tenantId}/usage`);
    expect(usage.body).toMatchObject({ users: { current: 1, max: 100 } });
  });

  it('should deactivate: the member loses access on the next request; reactivate', async () => {
    // The member changes the temporary password, then works normally.
    const signIn = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email, password },
    });
    expect(signIn.status).toBe(200);
    const changed = await requestJson(`${t.baseUrl}/api/v1/users/me/password`, {
      method: 'POST',
      headers: bearer(signIn.body.access_token),
      json: { current_password: password, new_password: 'Own-Password-2026!' },
    });
    expect(changed.status).toBe(204);
    const me = () =>
      requestJson(`${t.baseUrl}/api/v1/users/me`, { headers: bearer(signIn.body.access_token) });
    expect((await me()).status).toBe(200);

    const off = await market(t, 'POST', `/mt/tenant/${tenantId}/deactivate`, {
      reason: 'Contract ended',
    });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({
      status: 'deactivated',
      result: 'deactivated',
      deactivation_reason: 'Contract ended',
    });
    expect((await me()).status).toBe(401);
    const refresh = await requestJson(`${t.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      json: { refresh_token: signIn.body.refresh_token },
    });
    expect(refresh.status).toBe(401);
    const again = await requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email, password: 'Own-Password-2026!' },
    });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ error_code: 'AUTH_TENANT_INACTIVE' });

    const on = await market(t, 'POST', `/mt/tenant/${tenantId}/activate`, {
      name: 'Hallym University',
    });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ status: 'active', result: 'reactivated', plan: 'premium' });
    const back = await requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email, password: 'Own-Password-2026!' },
    });
    expect(back.status).toBe(200);
  });

  it('should delete the user (204)', async () => {
    const response = await market(t, 'DELETE', `/mt/tenant/${tenantId}/users/${userId}`);
    expect(response.status).toBe(204);
    const gone = await market(t, 'GET', `/mt/tenant/${tenantId}/users/${userId}`);
    expect(gone.status).toBe(404);
  });

  it('should read and change settings, field by field', async () => {
    const read = await market(t, 'GET', `/mt/tenant/${tenantId}/settings`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      tenant_id: tenantId,
      config: {
        max_users: 100,
        features: { rag: true, chat: true, quiz: false, api_integration: true },
      },
      subscription: {
        plan: 'premium',
        start_date: '2025-09-01',
        end_date: '2026-08-31',
        auto_renew: true,
      },
    });
    const changed = await market(t, 'PUT', `/mt/tenant/${tenantId}/settings`, {
      config: {
        limits: { daily_tokens: 1000000, monthly_tokens: 20000000, max_file_size_mb: 50 },
        branding: { primary_color: '#003366' },
        features: { quiz: true },
      },
      subscription: { plan: 'enterprise' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      config: {
        max_users: 100,
        features: { quiz: true, rag: true },
        limits: { daily_tokens: 1000000, monthly_tokens: 20000000, max_file_size_mb: 50 },
        branding: { primary_color: '#003366', logo_url: null },
      },
      subscription: { plan: 'enterprise', auto_renew: true },
    });
  });
});
