import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login } from '../factories/accounts.js';
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
    const student = await createUser(t, { tenant: school, role: 'student' });
    const post = (path: string, json: unknown, token?: string) =>
      requestJson<Record<string, string>>(`${t.baseUrl}/api/v1${path}`, {
        method: 'POST',
        json,
        headers: token ? bearer(token) : {},
      });

    for (let i = 0; i < 5; i += 1) {
      await post('/auth/login', { email: student.email, password: 'Wrong-password-1' });
    }
    await requestJson(`${t.baseUrl}/api/v1/users/${student.id}/unlock`, {
      method: 'POST',
      headers: bearer(admin.access_token),
    });
    const fresh = await login(t, student);
    await post(
      '/users/me/password',
      { current_password: student.password, new_password: 'Brand-New-Pass-9' },
      fresh.access_token,
    );
    await post(
      '/admin/impersonate',
      { user_id: student.id, reason: 'support ticket 1' },
      admin.access_token,
    );
    const key = await post(
      '/api-keys',
      { name: 'Audit export', scopes: ['audit:read'] },
      admin.access_token,
    );
    await requestJson(`${t.baseUrl}/api/v1/api-keys/${key.body.id ?? ''}`, {
      method: 'DELETE',
      headers: bearer(admin.access_token),
    });
    // Reuse: an old refresh token of a rotated session, outside the grace window.
    const reuse = await login(t, { email: student.email, password: 'Brand-New-Pass-9' });
    const next = await post('/auth/refresh', { refresh_token: reuse.refresh_token });
    await post('/auth/refresh', { refresh_token: next.body.refresh_token });
    await post('/auth/refresh', { refresh_token: reuse.refresh_token });

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
});
