import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addMembership,
  bearer,
  createTenant,
  createUser,
  login,
  type TestUser,
  type Tokens,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Impersonation {
  access_token: string;
  expires_in: number;
  actor_id: string;
  refresh_token?: string;
  user: { id: string };
  error_code?: string;
}

describe('impersonation for support', () => {
  let t: TestApp;
  let north: string;
  let south: string;
  let admin: Tokens;
  let adminId: string;
  let student: TestUser;
  let otherAdmin: TestUser;
  let southStudent: TestUser;
  let teacher: Tokens;
  let superAdmin: Tokens;
  let superTarget: TestUser;

  const impersonate = (token: string, body: Record<string, unknown>) =>
    requestJson<Impersonation>(`${t.baseUrl}/api/v1/admin/impersonate`, {
      method: 'POST',
      headers: bearer(token),
      json: body,
    });

  beforeAll(async () => {
    t = await startTestApp();
    north = await createTenant(t);
    south = await createTenant(t);
    const adminUser = await createUser(t, { tenant: north, role: 'admin' });
    adminId = adminUser.id;
    admin = await login(t, adminUser);
    student = await createUser(t, { tenant: north, role: 'student', schoolManaged: true });
    otherAdmin = await createUser(t, { tenant: north, role: 'admin' });
    southStudent = await createUser(t, { tenant: south, role: 'student' });
    teacher = await login(t, await createUser(t, { tenant: north, role: 'teacher' }));
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
    superTarget = await createUser(t, { superAdmin: true });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should act as the user for 30 minutes, carry the real actor, and audit it all', async () => {
    const started = await impersonate(admin.access_token, {
      user_id: student.id,
      reason: 'Ticket 4521: cannot see her class',
    });
    expect(started.status).toBe(200);
    expect(started.body.refresh_token).toBeUndefined();
    expect(started.body.expires_in).toBe(1800);
    const claims = JSON.parse(
      Buffer.from(started.body.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { sub: string; act: { sub: string }; exp: number; iat: number; tid: string };
    expect(claims).toMatchObject({ sub: student.id, act: { sub: adminId }, tid: north });
    expect(claims.exp - claims.iat).toBe(1800);

    const token = started.body.access_token;
    const me = await requestJson<{ id: string }>(`${t.baseUrl}/api/v1/users/me`, {
      headers: bearer(token),
    });
    expect(me.body.id).toBe(student.id);
    const edited = await requestJson(`${t.baseUrl}/api/v1/users/me`, {
      method: 'PATCH',
      headers: bearer(token),
      json: { grade_level: '7' },
    });
    expect(edited.status).toBe(200);

    const password = await requestJson(`${t.baseUrl}/api/v1/users/me/password`, {
      method: 'POST',
      headers: bearer(token),
      json: { current_password: student.password, new_password: 'Brand-New-Pass-9' },
    });
    expect(password.status).toBe(403);
    expect(password.body.error_code).toBe('AUTH_IMPERSONATION_FORBIDDEN');
    const keys = await requestJson(`${t.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: bearer(token),
      json: { name: 'Sneaky key', scopes: ['audit:read'] },
    });
    expect(keys.status).toBe(403);
    const nested = await impersonate(token, { user_id: student.id, reason: 'again and again' });
    expect(nested.status).toBe(403);

    await waitFor(async () => {
      const rows = await query<{ action: string; actor_id: string; on_behalf_of: string | null }>(
        t.databaseUrl,
        `SELECT action, actor_id, on_behalf_of FROM audit_logs
         WHERE action IN ('auth.impersonation_started', 'auth.impersonate', 'user.profile_updated')
           AND (actor_id = $1 OR actor_id = $2)`,
        [adminId, student.id],
      );
      const actions = rows.map((row) => `${row.action}:${row.actor_id}:${row.on_behalf_of}`);
      return (
        actions.includes(`auth.impersonation_started:${adminId}:null`) &&
        actions.includes(`auth.impersonate:${adminId}:null`) &&
        actions.includes(`user.profile_updated:${student.id}:${adminId}`)
      );
    });
    const [reason] = await query<{ reason: string }>(
      t.databaseUrl,
      `SELECT metadata->>'reason' AS reason FROM audit_logs WHERE action = 'auth.impersonation_started'`,
    );
    expect(reason?.reason).toBe('Ticket 4521: cannot see her class');

    // The student's own session list does not show support's session.
    const own = await login(t, student);
    const sessions = await requestJson<unknown[]>(`${t.baseUrl}/api/v1/users/me/sessions`, {
      headers: bearer(own.access_token),
    });
    expect(sessions.body).toHaveLength(1);
  });

  it('should refuse admins, super admins, other tenants and other roles', async () => {
    const onAdmin = await impersonate(admin.access_token, {
      user_id: otherAdmin.id,
      reason: 'test case',
    });
    expect(onAdmin.status).toBe(403);
    expect(onAdmin.body.error_code).toBe('AUTH_CANNOT_IMPERSONATE');
    const elsewhere = await impersonate(admin.access_token, {
      user_id: southStudent.id,
      reason: 'test case',
    });
    expect(elsewhere.status).toBe(404);
    const byTeacher = await impersonate(teacher.access_token, {
      user_id: student.id,
      reason: 'test case',
    });
    expect(byTeacher.status).toBe(403);
    const onSuper = await impersonate(superAdmin.access_token, {
      user_id: superTarget.id,
      reason: 'test case',
    });
    expect(onSuper.status).toBe(403);
    const superOnAdmin = await impersonate(superAdmin.access_token, {
      user_id: otherAdmin.id,
      reason: 'platform support',
    });
    expect(superOnAdmin.status).toBe(200);
  });

  it('should refuse a tenant admin an account their school does not manage (403, a clear code), and let a super admin act as it', async () => {
    const own = await createUser(t, { tenant: north, role: 'student' });
    const selfManaged = await impersonate(admin.access_token, {
      user_id: own.id,
      reason: 'test case',
    });
    expect(selfManaged.status).toBe(403);
    expect(selfManaged.body.error_code).toBe('USER_ACCOUNT_SELF_MANAGED');
    // Made by north, but a member of south too: north no longer speaks for the account.
    const shared = await createUser(t, { tenant: north, role: 'teacher', schoolManaged: true });
    await addMembership(t, shared.id, south, 'admin');
    const elsewhere = await impersonate(admin.access_token, {
      user_id: shared.id,
      reason: 'test case',
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error_code).toBe('USER_ACCOUNT_MANAGED_ELSEWHERE');
    const southAdmin = await login(t, await createUser(t, { tenant: south, role: 'admin' }));
    const fromSouth = await impersonate(southAdmin.access_token, {
      user_id: shared.id,
      reason: 'test case',
    });
    expect(fromSouth.status).toBe(403);
    const bySuper = await impersonate(superAdmin.access_token, {
      user_id: own.id,
      reason: 'platform support',
    });
    expect(bySuper.status).toBe(200);
    const sessions = await query(
      t.databaseUrl,
      `SELECT 1 FROM sessions WHERE user_id = ANY($1::uuid[]) AND impersonator_id = $2`,
      [[own.id, shared.id], adminId],
    );
    expect(sessions).toHaveLength(0);
  });

  it.each([
    [{}],
    [{ user_id: 'nope', reason: 'valid reason' }],
    [{ user_id: '00000000-0000-4000-8000-000000000000', reason: 'x' }],
    [{ user_id: '00000000-0000-4000-8000-000000000000', reason: 'too long '.repeat(60).trim() }],
    [{ user_id: '00000000-0000-4000-8000-000000000000', reason: 'valid reason', role: 'admin' }],
  ])('should answer %j with 400', async (body) => {
    expect((await impersonate(admin.access_token, body)).status).toBe(400);
  });

  it('should answer an unknown user with 404', async () => {
    const missing = await impersonate(admin.access_token, {
      user_id: '00000000-0000-4000-8000-000000000000',
      reason: 'valid reason',
    });
    expect(missing.status).toBe(404);
  });
});
