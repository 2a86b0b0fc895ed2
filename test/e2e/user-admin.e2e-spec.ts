import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  addMembership,
  bearer,
  createTenant,
  createUser,
  DEFAULT_PASSWORD,
  login,
  mailTo,
  tokenFromMail,
  uniqueEmail,
  type TestUser,
  type Tokens,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Member {
  id: string;
  email: string;
  role: string | null;
  membership_status: string | null;
  tenant_id: string | null;
  is_active: boolean;
  locked_until: string | null;
}
interface MemberPage {
  items: Member[];
  total: number;
  limit: number;
  offset: number;
  error_code?: string;
}

describe('user management', () => {
  let t: TestApp;
  let north: string;
  let south: string;
  let admin: Tokens;
  let adminUser: TestUser;
  let southAdmin: Tokens;
  let teacher: Tokens;
  let superAdmin: Tokens;
  const students: TestUser[] = [];
  let southStudent: TestUser;

  const api = (path: string) => `${t.baseUrl}/api/v1${path}`;
  const get = <T = MemberPage>(token: string, path: string) =>
    requestJson<T & { error_code?: string }>(api(path), { headers: bearer(token) });
  const patch = (token: string, path: string, json: unknown) =>
    requestJson<Member & { error_code?: string }>(api(path), {
      method: 'PATCH',
      headers: bearer(token),
      json,
    });
  const me = (token: string) =>
    requestJson<Record<string, unknown>>(api('/users/me'), { headers: bearer(token) });

  beforeAll(async () => {
    t = await startTestApp();
    north = await createTenant(t);
    south = await createTenant(t);
    adminUser = await createUser(t, { tenant: north, role: 'admin' });
    admin = await login(t, adminUser);
    southAdmin = await login(t, await createUser(t, { tenant: south, role: 'admin' }));
    teacher = await login(t, await createUser(t, { tenant: north, role: 'teacher' }));
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
    for (let i = 0; i < 5; i += 1) {
      students.push(await createUser(t, { tenant: north, role: 'student' }));
    }
    southStudent = await createUser(t, { tenant: south, role: 'student' });
  });

  afterAll(async () => {
    await t.close();
  });

  it("should list the members of the admin's own tenant, filtered, sorted and paged", async () => {
    const all = await get(admin.access_token, '/users?limit=100');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(7);
    expect(all.body.items.every((m) => m.tenant_id === north)).toBe(true);
    expect(all.body.items.map((m) => m.id)).not.toContain(southStudent.id);

    const studentsOnly = await get(
      admin.access_token,
      '/users?role=student&sort=email&order=asc&limit=2',
    );
    expect(studentsOnly.body.total).toBe(5);
    expect(studentsOnly.body.items).toHaveLength(2);
    const emails = students.map((s) => s.email).sort();
    expect(studentsOnly.body.items.map((m) => m.email)).toEqual(emails.slice(0, 2));
    const next = await get(
      admin.access_token,
      '/users?role=student&sort=email&order=asc&limit=2&offset=2',
    );
    expect(next.body.items.map((m) => m.email)).toEqual(emails.slice(2, 4));

    const one = students[3]?.email ?? '';
    const searched = await get(
      admin.access_token,
      `/users?q=${encodeURIComponent(one.slice(5, 14).toUpperCase())}`,
    );
    expect(searched.body.items.map((m) => m.email)).toEqual([one]);
    const wildcard = await get(admin.access_token, '/users?q=%25');
    expect(wildcard.body.total).toBe(0);
    const future = await get(admin.access_token, '/users?created_after=2999-01-01T00:00:00Z');
    expect(future.body.total).toBe(0);
  });

  it('should let a super admin list everyone or one tenant', async () => {
    const everyone = await get(superAdmin.access_token, '/users?limit=100');
    expect(everyone.body.total).toBeGreaterThanOrEqual(10);
    const southOnly = await get(superAdmin.access_token, `/users?tenant_id=${south}`);
    expect(southOnly.body.items.map((m) => m.id).sort()).toEqual(
      expect.arrayContaining([southStudent.id]),
    );
    expect(southOnly.body.items.every((m) => m.tenant_id === south)).toBe(true);
  });

  it('should refuse other roles (403), other tenants (403 for lists, 404 for members) and no token (401)', async () => {
    expect((await get(teacher.access_token, '/users')).status).toBe(403);
    expect((await get(admin.access_token, `/users?tenant_id=${south}`)).status).toBe(403);
    const foreign = await get(admin.access_token, `/users/${southStudent.id}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error_code).toBe('USER_NOT_FOUND');
    expect(
      (await patch(admin.access_token, `/users/${southStudent.id}`, { role: 'teacher' })).status,
    ).toBe(404);
    expect((await requestJson(api('/users'))).status).toBe(401);
    expect(
      (
        await requestJson(api(`/users/${southStudent.id}/unlock`), {
          method: 'POST',
          headers: bearer(teacher.access_token),
        })
      ).status,
    ).toBe(403);
  });

  it.each([
    ['GET', ''],
    ['PATCH', ''],
    ['DELETE', ''],
    ['POST', '/unlock'],
    ['POST', '/reset-password'],
  ])(
    'should refuse %s /users/:id%s to a teacher (403) and for another tenant (404)',
    async (method, suffix) => {
      const json = method === 'PATCH' ? { role: 'teacher' } : undefined;
      const target = students[4];
      const byTeacher = await requestJson(api(`/users/${target.id}${suffix}`), {
        method,
        headers: bearer(teacher.access_token),
        json,
      });
      expect(byTeacher.status).toBe(403);
      const crossTenant = await requestJson(api(`/users/${target.id}${suffix}`), {
        method,
        headers: bearer(southAdmin.access_token),
        json,
      });
      expect(crossTenant.status).toBe(404);
    },
  );

  it('should change a role, and suspend a member whose sessions in the tenant end at once', async () => {
    const target = students[0];
    const tokens = await login(t, target);
    const promoted = await patch(admin.access_token, `/users/${target.id}`, { role: 'teacher' });
    expect(promoted.status).toBe(200);
    expect(promoted.body.role).toBe('teacher');
    const claims = await me(tokens.access_token);
    expect(claims.status).toBe(200);
    const suspended = await patch(admin.access_token, `/users/${target.id}`, {
      status: 'suspended',
    });
    expect(suspended.body.membership_status).toBe('suspended');
    expect((await me(tokens.access_token)).status).toBe(401);
    const again = await requestJson(api('/auth/login'), {
      method: 'POST',
      json: { email: target.email, password: target.password },
    });
    expect(again.status).toBe(403);
    expect(again.body.error_code).toBe('AUTH_TENANT_INACTIVE');
    await patch(admin.access_token, `/users/${target.id}`, { status: 'active' });
    await login(t, target);
  });

  it('should keep account-wide changes for super admins, and protect them from tenant admins', async () => {
    const target = students[1];
    const tokens = await login(t, target);
    const refused = await patch(admin.access_token, `/users/${target.id}`, { is_active: false });
    expect(refused.status).toBe(403);
    const grant = await patch(admin.access_token, `/users/${target.id}`, {
      platform_role: 'super_admin',
    });
    expect(grant.status).toBe(403);
    const disabled = await patch(superAdmin.access_token, `/users/${target.id}`, {
      is_active: false,
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body.is_active).toBe(false);
    expect((await me(tokens.access_token)).status).toBe(401);
    const superId = (await get<{ id: string }>(superAdmin.access_token, '/users/me')).body.id;
    await addMembership(t, superId, north, 'student');
    const onSuper = await patch(admin.access_token, `/users/${superId}`, { role: 'admin' });
    expect(onSuper.status).toBe(403);
    const self = await patch(admin.access_token, `/users/${adminUser.id}`, { role: 'student' });
    expect(self.status).toBe(409);
  });

  it('should take a member out of the tenant, and delete an account with its last membership', async () => {
    const both = students[2];
    await addMembership(t, both.id, south, 'student');
    const removed = await requestJson(api(`/users/${both.id}`), {
      method: 'DELETE',
      headers: bearer(admin.access_token),
    });
    expect(removed.status).toBe(204);
    expect((await get(admin.access_token, `/users/${both.id}`)).status).toBe(404);
    expect((await get(southAdmin.access_token, `/users/${both.id}`)).status).toBe(200);
    await login(t, both);

    // A self-managed account (registered itself) only leaves the school, even its last one.
    const own = await createUser(t, { tenant: north, role: 'student' });
    const left = await requestJson(api(`/users/${own.id}`), {
      method: 'DELETE',
      headers: bearer(admin.access_token),
    });
    expect(left.status).toBe(204);
    expect((await get(admin.access_token, `/users/${own.id}`)).status).toBe(404);
    await login(t, own);

    const only = await createUser(t, { tenant: north, role: 'student', schoolManaged: true });
    const deleted = await requestJson(api(`/users/${only.id}`), {
      method: 'DELETE',
      headers: bearer(admin.access_token),
    });
    expect(deleted.status).toBe(204);
    const signIn = await requestJson(api('/auth/login'), {
      method: 'POST',
      json: { email: only.email, password: only.password },
    });
    expect(signIn.status).toBe(401);
    const reuse = await requestJson(api('/auth/register'), {
      method: 'POST',
      json: { email: only.email, password: DEFAULT_PASSWORD, full_name: 'New Owner' },
    });
    expect(reuse.status).toBe(202);
    const events = await query(
      t.databaseUrl,
      `SELECT 1 FROM outbox_events WHERE type = 'user.deleted' AND aggregate_id = $1`,
      [only.id],
    );
    expect(events).toHaveLength(1);
  });

  it('should clear the lockout of an account the school manages, and refuse it for one its owner manages', async () => {
    const lockOut = async (target: TestUser) => {
      for (let i = 0; i < 5; i += 1) {
        await requestJson(api('/auth/login'), {
          method: 'POST',
          json: { email: target.email, password: 'Wrong-password-1' },
        });
      }
    };
    const target = await createUser(t, { tenant: north, role: 'student', schoolManaged: true });
    await lockOut(target);
    expect(
      (await get<Member>(admin.access_token, `/users/${target.id}`)).body.locked_until,
    ).not.toBeNull();
    const unlocked = await requestJson(api(`/users/${target.id}/unlock`), {
      method: 'POST',
      headers: bearer(admin.access_token),
    });
    expect(unlocked.status).toBe(204);
    await login(t, target);

    const owned = students[4];
    await lockOut(owned);
    const refused = await requestJson(api(`/users/${owned.id}/unlock`), {
      method: 'POST',
      headers: bearer(admin.access_token),
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe('USER_ACCOUNT_SELF_MANAGED');
    expect(
      (await get<Member>(admin.access_token, `/users/${owned.id}`)).body.locked_until,
    ).not.toBeNull();
    await query(
      t.databaseUrl,
      `UPDATE users SET locked_until = NULL, failed_login_count = 0 WHERE id = $1`,
      [owned.id],
    );
  });

  it('should let a super admin add an email member with a temporary password that must be changed at the first sign-in', async () => {
    const email = `new-${Date.now()}@school.test`;
    const created = await requestJson<
      Member & { temporary_password: string; account_created: boolean }
    >(api('/users'), {
      method: 'POST',
      headers: bearer(superAdmin.access_token),
      json: { email, full_name: 'New Pupil', role: 'student', tenant_id: north },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      account_created: true,
      role: 'student',
      tenant_id: north,
      must_change_password: true,
    });
    const first = await login(t, { email, password: created.body.temporary_password });
    const profile = await me(first.access_token);
    expect(profile.status).toBe(200);
    // The school gave the address; only the person can prove it (welcome link, invitation).
    expect(profile.body).toMatchObject({ email, email_verified: false });
    const blocked = await requestJson(api('/users/me/sessions'), {
      headers: bearer(first.access_token),
    });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error_code).toBe('AUTH_PASSWORD_CHANGE_REQUIRED');
    const changed = await requestJson(api('/users/me/password'), {
      method: 'POST',
      headers: bearer(first.access_token),
      json: { current_password: created.body.temporary_password, new_password: 'Brand-New-Pass-9' },
    });
    expect(changed.status).toBe(204);
    expect(
      (await requestJson(api('/users/me/sessions'), { headers: bearer(first.access_token) }))
        .status,
    ).toBe(200);

    // The same person in a second school: an invitation, nothing said about the account.
    const joined = await requestJson<Record<string, unknown>>(api('/users'), {
      method: 'POST',
      headers: bearer(southAdmin.access_token),
      json: { email, full_name: 'Ignored', role: 'teacher' },
    });
    expect(joined.status).toBe(202);
    expect(Object.keys(joined.body).sort()).toEqual(
      [
        'accepted_at',
        'created_at',
        'email',
        'expires_at',
        'id',
        'role',
        'status',
        'tenant_id',
      ].sort(),
    );
    expect(joined.body).toMatchObject({
      email,
      role: 'teacher',
      tenant_id: south,
      status: 'pending',
    });
    const memberships = await query(
      t.databaseUrl,
      `SELECT m.tenant_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1`,
      [email],
    );
    expect(memberships).toEqual([{ tenant_id: north }]);
    const accounts = await query(t.databaseUrl, `SELECT 1 FROM users WHERE email = $1`, [email]);
    expect(accounts).toHaveLength(1);
    const twice = await requestJson(api('/users'), {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: { email, full_name: 'Ignored', role: 'teacher' },
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error_code).toBe('USER_ALREADY_MEMBER');
  });

  it('should invite a new email a school admin adds; accepting makes a school-managed account', async () => {
    const email = uniqueEmail('fresh');
    const invited = await requestJson<Record<string, unknown>>(api('/users'), {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: { email, full_name: 'Fresh Pupil', role: 'student' },
    });
    expect(invited.status).toBe(202);
    expect(invited.body).toMatchObject({
      email,
      role: 'student',
      tenant_id: north,
      status: 'pending',
    });
    expect(invited.body).not.toHaveProperty('account_created');
    expect(invited.body).not.toHaveProperty('temporary_password');
    expect(await query(t.databaseUrl, `SELECT 1 FROM users WHERE email = $1`, [email])).toEqual([]);

    const token = tokenFromMail(await mailTo(t, email, 'You are invited to'));
    const accepted = await requestJson<{ user_id: string; account_created: boolean }>(
      api('/invitations/accept'),
      { method: 'POST', json: { token, password: 'Own-Choice-2026!', full_name: 'Fresh Pupil' } },
    );
    expect(accepted.status).toBe(201);
    expect(accepted.body.account_created).toBe(true);
    const member = await get<Member & { school_managed: boolean; must_change_password: boolean }>(
      admin.access_token,
      `/users/${accepted.body.user_id}`,
    );
    expect(member.body).toMatchObject({
      role: 'student',
      school_managed: true,
      must_change_password: false,
    });
    // School-managed: the school's support tools work on it.
    const reset = await requestJson(api(`/users/${accepted.body.user_id}/reset-password`), {
      method: 'POST',
      headers: bearer(admin.access_token),
    });
    expect(reset.status).toBe(200);
  });

  it.each([
    ['a new address', () => uniqueEmail('fresh')],
    ['an address with an account', () => southStudent.email],
  ])(
    'should refuse a temporary_password sent by a school with %s (400, field named)',
    async (_kind, email) => {
      const response = await requestJson<{
        error_code: string;
        message: string;
        details: { fields: Array<{ field: string; errors: string[] }> };
      }>(api('/users'), {
        method: 'POST',
        headers: bearer(admin.access_token),
        json: {
          email: email(),
          full_name: 'With Password',
          role: 'student',
          temporary_password: 'Chosen-By-School-2026!',
        },
      });
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('COMMON_VALIDATION_FAILED');
      expect(response.body.message).toMatch(/invited and set their own password/);
      expect(response.body.details.fields).toEqual([
        { field: 'temporary_password', errors: [expect.stringMatching(/invited/)] },
      ]);
    },
  );

  it("should let an admin reset a member's password: sessions end, the temporary one works once changed", async () => {
    const target = await createUser(t, { tenant: north, role: 'student', schoolManaged: true });
    const old = await login(t, target);
    const reset = await requestJson<{ temporary_password: string }>(
      api(`/users/${target.id}/reset-password`),
      {
        method: 'POST',
        headers: bearer(admin.access_token),
      },
    );
    expect(reset.status).toBe(200);
    expect((await me(old.access_token)).status).toBe(401);
    const fresh = await login(t, { email: target.email, password: reset.body.temporary_password });
    const blocked = await requestJson(api('/auth/switch-tenant'), {
      method: 'POST',
      headers: bearer(fresh.access_token),
      json: { tenant_id: north },
    });
    expect(blocked.status).toBe(403);
    const byTeacher = await requestJson(api(`/users/${target.id}/reset-password`), {
      method: 'POST',
      headers: bearer(teacher.access_token),
    });
    expect(byTeacher.status).toBe(403);
    const elsewhere = await requestJson(api(`/users/${southStudent.id}/reset-password`), {
      method: 'POST',
      headers: bearer(admin.access_token),
    });
    expect(elsewhere.status).toBe(404);
  });

  it('should refuse to reset an account its owner manages, or that another school made or shares (403, clear codes)', async () => {
    const resetBy = (token: string, id: string) =>
      requestJson(api(`/users/${id}/reset-password`), { method: 'POST', headers: bearer(token) });
    const own = await createUser(t, { tenant: north, role: 'teacher' });
    const selfManaged = await resetBy(admin.access_token, own.id);
    expect(selfManaged.status).toBe(403);
    expect(selfManaged.body.error_code).toBe('USER_ACCOUNT_SELF_MANAGED');
    const shared = await createUser(t, { tenant: south, role: 'student', schoolManaged: true });
    await addMembership(t, shared.id, north, 'student');
    for (const token of [admin.access_token, southAdmin.access_token]) {
      const refused = await resetBy(token, shared.id);
      expect(refused.status).toBe(403);
      expect(refused.body.error_code).toBe('USER_ACCOUNT_MANAGED_ELSEWHERE');
    }
    // Platform staff are not bound by a school's limits.
    expect((await resetBy(superAdmin.access_token, own.id)).status).toBe(200);
  });

  it.each([
    [{}],
    [{ email: 'x@school.test', full_name: 'X Y', role: 'super_admin' }],
    [{ email: 'not-an-email', full_name: 'X Y', role: 'student' }],
    [{ email: 'x@school.test', full_name: 'X Y', role: 'student', temporary_password: 'weak' }],
    [{ email: 'x@school.test', full_name: 'X Y', role: 'student', tenant_id: 'elsewhere_school' }],
    [{ email: 'x@school.test', full_name: 'X Y', role: 'student', is_active: false }],
  ])('should refuse POST /users %j with 4xx and create nothing', async (body) => {
    const response = await requestJson(api('/users'), {
      method: 'POST',
      headers: bearer(admin.access_token),
      json: body,
    });
    expect([400, 403]).toContain(response.status);
    const created = await query(t.databaseUrl, `SELECT 1 FROM users WHERE email = 'x@school.test'`);
    expect(created).toHaveLength(0);
  });

  it('should refuse POST /users to a teacher', async () => {
    const response = await requestJson(api('/users'), {
      method: 'POST',
      headers: bearer(teacher.access_token),
      json: { email: 'y@school.test', full_name: 'Y Z', role: 'student' },
    });
    expect(response.status).toBe(403);
  });

  it.each([
    ['/users?limit=0'],
    ['/users?limit=500'],
    ['/users?sort=password_hash'],
    ['/users?role=owner'],
    ['/users?status=happy'],
    ['/users?created_after=soon'],
    ['/users?q='],
    ['/users?offset=-1'],
    ['/users?extra=1'],
    ['/users/not-a-uuid'],
    [`/users/${randomUUID()}?tenant_id=NOT_VALID`],
  ])('should answer GET %s with 400', async (path) => {
    const response = await get(admin.access_token, path);
    expect(response.status).toBe(400);
  });

  it.each([
    [{}],
    [{ role: 'owner' }],
    [{ status: 'deleted' }],
    [{ is_active: 'no' }],
    [{ platform_role: 'god' }],
    [{ email: 'x@y.z' }],
    [{ role: 'teacher', password_hash: 'x' }],
  ])('should answer PATCH %j with 400 and change nothing', async (body) => {
    const target = students[4];
    const before = await get<Member>(admin.access_token, `/users/${target.id}`);
    const response = await patch(admin.access_token, `/users/${target.id}`, body);
    expect(response.status).toBe(400);
    const after = await get<Member>(admin.access_token, `/users/${target.id}`);
    expect(after.body).toEqual(before.body);
  });
});
