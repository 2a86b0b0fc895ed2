import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('security events in the audit trail', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should record failed logins, lockouts, token reuse, password changes, impersonation and keys', async () => {
    const school = await createTenant(t);
    const admin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const platform = await login(t, await createUser(t, { superAdmin: true }));
    const student = await createUser(t, { tenant: school, role: 'student', schoolManaged: true });
    const post = (path: string, json: unknown, token?: string) =>
      requestJson<Record<string, string>>(`${t.baseUrl}/api/v1${path}`, {
        method: 'POST',
        json,
        headers: token ? bearer(token) : {},
      });

    const failures: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const failed = await post('/auth/login', {
        email: student.email,
        password: 'Wrong-password-1',
      });
      failures.push(failed.status);
    }
    // The fifth failure locks the account, and says so.
    expect(failures).toEqual([401, 401, 401, 401, 423]);
    const unlocked = await requestJson(`${t.baseUrl}/api/v1/users/${student.id}/unlock`, {
      method: 'POST',
      headers: bearer(admin.access_token),
    });
    expect(unlocked.status).toBe(204);
    const fresh = await login(t, student);
    const changed = await post(
      '/users/me/password',
      { current_password: student.password, new_password: 'Brand-New-Pass-9' },
      fresh.access_token,
    );
    expect(changed.status).toBe(204);
    const impersonated = await post(
      '/admin/impersonate',
      { user_id: student.id, reason: 'support ticket 1' },
      admin.access_token,
    );
    expect(impersonated.status).toBe(200);
    const key = await post(
      '/api-keys',
      { name: 'Audit export', scopes: ['audit:read'] },
      admin.access_token,
    );
    expect(key.status).toBe(201);
    const revoked = await requestJson(`${t.baseUrl}/api/v1/api-keys/${key.body.id ?? ''}`, {
      method: 'DELETE',
      headers: bearer(admin.access_token),
    });
    expect(revoked.status).toBe(204);
    // Reuse: a refresh token two rotations old, whatever the grace window for the last one.
    const reuse = await login(t, { email: student.email, password: 'Brand-New-Pass-9' });
    const next = await post('/auth/refresh', { refresh_token: reuse.refresh_token });
    expect(next.status).toBe(200);
    const after = await post('/auth/refresh', { refresh_token: next.body.refresh_token });
    expect(after.status).toBe(200);
    const reused = await post('/auth/refresh', { refresh_token: reuse.refresh_token });
    expect(reused.status).toBe(401);

    const expected = [
      'auth.login',
      'auth.account_locked',
      'user.unlocked',
      'auth.refresh_token_reused',
      'auth.password_changed',
      'auth.impersonation_started',
      'api_key.created',
      'api_key.revoked',
    ];
    const found = await waitFor(async () => {
      const page = await requestJson<{ items: Array<{ action: string; outcome: string }> }>(
        `${t.baseUrl}/api/v1/audit-logs?limit=100`,
        // Failed sign-ins name no tenant yet (an address may belong to several): platform view.
        { headers: bearer(platform.access_token) },
      );
      const actions = new Set(page.body.items.map((item) => item.action));
      return expected.every((action) => actions.has(action)) ? page.body.items : undefined;
    });
    expect(found.some((item) => item.action === 'auth.login' && item.outcome === 'denied')).toBe(
      true,
    );
  });

  interface SecurityRow {
    actor_type: string;
    actor_id: string | null;
    tenant_id: string | null;
    resource_id: string | null;
    outcome: string;
    ip: string | null;
    user_agent: string | null;
    request_id: string | null;
    metadata: Record<string, unknown>;
  }
  // No waitFor: a security event is in the table when the call that caused it returns.
  const recordedNow = (action: string, resourceId: string) =>
    query<SecurityRow>(
      t.databaseUrl,
      'SELECT * FROM audit_logs WHERE action = $1 AND resource_id = $2',
      [action, resourceId],
    );

  it('should have every security event in the audit table when the call returns', async () => {
    const school = await createTenant(t);
    const adminUser = await createUser(t, { tenant: school, role: 'admin' });
    const admin = await login(t, adminUser);
    const student = await createUser(t, { tenant: school, role: 'student', schoolManaged: true });
    const managed = await createUser(t, { tenant: school, role: 'student', schoolManaged: true });
    const call = (path: string, init: { method?: string; json?: unknown; token?: string } = {}) =>
      requestJson<Record<string, string>>(`${t.baseUrl}/api/v1${path}`, {
        method: init.method ?? 'POST',
        json: init.json,
        headers: {
          'user-agent': 'admin-console/2.0',
          ...(init.token ? bearer(init.token) : {}),
        },
      });

    const wrong = { email: student.email, password: 'Wrong-password-1' };
    expect((await call('/auth/login', { json: wrong })).status).toBe(401);
    const failed = await recordedNow('auth.login_failed', student.id);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      outcome: 'denied',
      metadata: { reason: 'invalid_password', identifier: student.email },
    });
    for (let i = 0; i < 4; i += 1) {
      await call('/auth/login', { json: wrong });
    }
    expect(await recordedNow('auth.account_locked', student.id)).toHaveLength(1);
    expect((await call(`/users/${student.id}/unlock`, { token: admin.access_token })).status).toBe(
      204,
    );

    const session = await login(t, student);
    const next = await call('/auth/refresh', { json: { refresh_token: session.refresh_token } });
    await call('/auth/refresh', { json: { refresh_token: next.body.refresh_token } });
    await call('/auth/refresh', { json: { refresh_token: session.refresh_token } });
    expect(await recordedNow('auth.refresh_token_reused', student.id)).toHaveLength(1);

    const fresh = await login(t, student);
    const changed = await call('/users/me/password', {
      json: { current_password: student.password, new_password: 'Brand-New-Pass-9' },
      token: fresh.access_token,
    });
    expect(changed.status).toBe(204);
    expect(await recordedNow('auth.password_changed', student.id)).toHaveLength(1);
    expect((await call('/auth/logout-all', { token: fresh.access_token })).status).toBe(204);
    expect(await recordedNow('auth.logout_all', student.id)).toHaveLength(1);

    const impersonated = await call('/admin/impersonate', {
      json: { user_id: managed.id, reason: 'support ticket 2' },
      token: admin.access_token,
    });
    expect(impersonated.status).toBe(200);
    expect(await recordedNow('auth.impersonation_started', adminUser.id)).toHaveLength(1);

    const promoted = await call(`/users/${managed.id}`, {
      method: 'PATCH',
      json: { role: 'teacher' },
      token: admin.access_token,
    });
    expect(promoted.status).toBe(200);
    const access = await recordedNow('user.access_changed', managed.id);
    expect(access).toHaveLength(1);
    expect(access[0]).toMatchObject({
      actor_type: 'user',
      actor_id: adminUser.id,
      tenant_id: school,
      outcome: 'success',
      ip: '127.0.0.1',
      user_agent: 'admin-console/2.0',
      request_id: promoted.headers.get('x-request-id'),
      metadata: { before: { role: 'student' }, after: { role: 'teacher' } },
    });

    const reset = await call(`/users/${managed.id}/reset-password`, { token: admin.access_token });
    expect(reset.status).toBe(200);
    const resetRows = await recordedNow('auth.password_reset_by_admin', managed.id);
    expect(resetRows).toHaveLength(1);
    expect(resetRows[0]).toMatchObject({ actor_id: adminUser.id, tenant_id: school });
    expect(JSON.stringify(resetRows)).not.toContain(reset.body.temporary_password ?? '?');
  });

  it('should leave no security record of a change that was rolled back', async () => {
    const student = await createUser(t, { tenant: await createTenant(t), role: 'student' });
    const tokens = await login(t, student);
    // Refuses the change's outbox event at commit, after every statement of the transaction.
    await query(
      t.databaseUrl,
      `CREATE OR REPLACE FUNCTION test_refuse_commit() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
    );
    await query(
      t.databaseUrl,
      `CREATE CONSTRAINT TRIGGER test_refuse_commit AFTER INSERT ON outbox_events
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
         WHEN (NEW.aggregate_id = '${student.id}') EXECUTE FUNCTION test_refuse_commit()`,
    );
    try {
      const changed = await requestJson(`${t.baseUrl}/api/v1/users/me/password`, {
        method: 'POST',
        json: { current_password: student.password, new_password: 'Brand-New-Pass-9' },
        headers: bearer(tokens.access_token),
      });
      expect(changed.status).toBe(500);
    } finally {
      await query(t.databaseUrl, 'DROP TRIGGER test_refuse_commit ON outbox_events');
    }
    expect(await recordedNow('auth.password_changed', student.id)).toHaveLength(0);
    // The change itself is gone too: the old password still signs in.
    expect((await login(t, student)).access_token).toEqual(expect.any(String));
  });

  it('should fail and undo a change whose security record cannot be written', async () => {
    const student = await createUser(t, { tenant: await createTenant(t), role: 'student' });
    const tokens = await login(t, student);
    await query(
      t.databaseUrl,
      `CREATE OR REPLACE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
    );
    await query(
      t.databaseUrl,
      `CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_logs FOR EACH ROW
         WHEN (NEW.action = 'auth.password_changed' AND NEW.resource_id = '${student.id}')
         EXECUTE FUNCTION test_refuse_audit()`,
    );
    try {
      const changed = await requestJson(`${t.baseUrl}/api/v1/users/me/password`, {
        method: 'POST',
        json: { current_password: student.password, new_password: 'Brand-New-Pass-9' },
        headers: bearer(tokens.access_token),
      });
      expect(changed.status).toBe(500);
    } finally {
      await query(t.databaseUrl, 'DROP TRIGGER test_refuse_audit ON audit_logs');
    }
    // No unaudited change: the old password still signs in, the new one does not.
    expect((await login(t, student)).access_token).toEqual(expect.any(String));
    const withNew = await requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email: student.email, password: 'Brand-New-Pass-9' },
    });
    expect(withNew.status).toBe(401);
  });
});
