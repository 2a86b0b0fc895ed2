import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  bearer,
  createTenant,
  createUser,
  login,
  uniqueEmail,
  type TestUser,
  type Tokens,
} from '../factories/accounts.js';
import { activateTenant, market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Member {
  id: string;
  tenant_id: string | null;
  role: string | null;
}

/** A service account's `X-API-Key` on the member routes (`users:read`, `users:write`). */
describe('API keys on the member routes', () => {
  let t: TestApp;
  let north: string;
  let south: string;
  let northAdmin: Tokens;
  let northAdminUser: TestUser;
  let northStudent: TestUser;
  let southStudent: TestUser;
  let reader: string;
  let writer: string;
  let writerId: string;

  const createKey = async (token: string, scopes: string[]) => {
    const created = await requestJson<{ id: string; key: string }>(`${t.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: bearer(token),
      json: { name: 'Roster sync', scopes },
    });
    expect(created.status).toBe(201);
    return created.body;
  };
  const withKey = <T = Record<string, unknown>>(
    key: string,
    method: string,
    path: string,
    json?: unknown,
  ) =>
    requestJson<T & { error_code?: string }>(`${t.baseUrl}/api/v1${path}`, {
      method,
      json,
      headers: { 'x-api-key': key },
    });
  const pupil = () => ({
    username: `pupil.${randomBytes(3).toString('hex')}`,
    full_name: 'Pupil Person',
    role: 'student',
  });

  beforeAll(async () => {
    t = await startTestApp({ env: marketEnv });
    north = await createTenant(t);
    south = await createTenant(t);
    northAdminUser = await createUser(t, { tenant: north, role: 'admin' });
    northAdmin = await login(t, northAdminUser);
    northStudent = await createUser(t, { tenant: north, role: 'student', schoolManaged: true });
    southStudent = await createUser(t, { tenant: south, role: 'student' });
    reader = (await createKey(northAdmin.access_token, ['users:read'])).key;
    const created = await createKey(northAdmin.access_token, ['users:write']);
    writer = created.key;
    writerId = created.id;
  });

  afterAll(async () => {
    await t.close();
  });

  describe('users:read', () => {
    it("should list its tenant's members and nobody else", async () => {
      const listed = await withKey<{ items: Member[]; total: number }>(reader, 'GET', '/users');
      expect(listed.status).toBe(200);
      const ids = listed.body.items.map((member) => member.id);
      expect(ids).toEqual(expect.arrayContaining([northAdminUser.id, northStudent.id]));
      expect(ids).not.toContain(southStudent.id);
      expect(listed.body.items.every((member) => member.tenant_id === north)).toBe(true);
      const otherTenant = await withKey(reader, 'GET', `/users?tenant_id=${south}`);
      expect(otherTenant.status).toBe(403);
      expect(otherTenant.body.error_code).toBe('COMMON_FORBIDDEN');
    });

    it('should read one member of its tenant, and find no member of another', async () => {
      const own = await withKey<Member>(reader, 'GET', `/users/${northStudent.id}`);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ id: northStudent.id, tenant_id: north, role: 'student' });
      const other = await withKey(reader, 'GET', `/users/${southStudent.id}`);
      expect(other.status).toBe(404);
      expect(other.body.error_code).toBe('USER_NOT_FOUND');
    });

    it('should not write, nor reach routes that take no key or another scope', async () => {
      const write = await withKey(reader, 'POST', '/users', pupil());
      expect([write.status, write.body.error_code]).toEqual([403, 'API_KEY_SCOPE_MISSING']);
      const removal = await withKey(reader, 'DELETE', `/users/${northStudent.id}`);
      expect([removal.status, removal.body.error_code]).toEqual([403, 'API_KEY_SCOPE_MISSING']);
      const audit = await withKey(reader, 'GET', '/audit-logs');
      expect([audit.status, audit.body.error_code]).toEqual([403, 'API_KEY_SCOPE_MISSING']);
      for (const [method, path] of [
        ['GET', '/classes'],
        ['GET', '/invitations'],
        ['GET', '/api-keys'],
        ['GET', '/users/me'],
        ['POST', `/users/${northStudent.id}/reset-password`],
        ['POST', `/users/${northStudent.id}/unlock`],
        ['POST', '/admin/impersonate'],
      ] as const) {
        const response = await withKey(reader, method, path, method === 'POST' ? {} : undefined);
        expect([method, path, response.status, response.body.error_code]).toEqual([
          method,
          path,
          403,
          'API_KEY_NOT_ACCEPTED',
        ]);
      }
    });
  });

  describe('users:write', () => {
    it('should add a pupil to its tenant and be named as the actor in the audit trail', async () => {
      const added = await withKey<Member & { temporary_password?: string }>(
        writer,
        'POST',
        '/users',
        pupil(),
      );
      expect(added.status).toBe(201);
      expect(added.body).toMatchObject({ tenant_id: north, role: 'student' });
      expect(added.body.temporary_password).toEqual(expect.any(String));
      await waitFor(async () => {
        const rows = await query<{ actor_type: string; tenant_id: string }>(
          t.databaseUrl,
          `SELECT actor_type, tenant_id FROM audit_logs
            WHERE actor_id = $1 AND action = 'user.created_by_admin'`,
          [writerId],
        );
        return (
          rows.length === 1 && rows[0]?.actor_type === 'api_key' && rows[0].tenant_id === north
        );
      });
    });

    it('should invite a member with an email, without naming anyone as the inviter', async () => {
      const email = uniqueEmail('keyed');
      const invited = await withKey<{ email: string }>(writer, 'POST', '/users', {
        email,
        full_name: 'Invited Person',
        role: 'teacher',
      });
      expect(invited.status).toBe(202);
      const [row] = await query<{ tenant_id: string; invited_by: string | null }>(
        t.databaseUrl,
        `SELECT tenant_id, invited_by FROM invitations WHERE email = $1`,
        [email],
      );
      expect(row).toEqual({ tenant_id: north, invited_by: null });
    });

    it('should change and remove non-admin members of its tenant', async () => {
      const target = await withKey<Member>(writer, 'POST', '/users', pupil());
      const promoted = await withKey<Member>(writer, 'PATCH', `/users/${target.body.id}`, {
        role: 'teacher',
      });
      expect([promoted.status, promoted.body.role]).toEqual([200, 'teacher']);
      const removed = await withKey(writer, 'DELETE', `/users/${target.body.id}`);
      expect(removed.status).toBe(204);
      const gone = await withKey(reader, 'GET', `/users/${target.body.id}`);
      expect(gone.status).toBe(404);
    });

    it('should neither make nor touch an admin, nor change accounts', async () => {
      const admin = await withKey(writer, 'POST', '/users', { ...pupil(), role: 'admin' });
      expect([admin.status, admin.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
      const promote = await withKey(writer, 'PATCH', `/users/${northStudent.id}`, {
        role: 'admin',
      });
      expect([promote.status, promote.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
      const demote = await withKey(writer, 'PATCH', `/users/${northAdminUser.id}`, {
        role: 'student',
      });
      expect([demote.status, demote.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
      const removeAdmin = await withKey(writer, 'DELETE', `/users/${northAdminUser.id}`);
      expect([removeAdmin.status, removeAdmin.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
      const disable = await withKey(writer, 'PATCH', `/users/${northStudent.id}`, {
        is_active: false,
      });
      expect([disable.status, disable.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
      const [still] = await query<{ role: string }>(
        t.databaseUrl,
        `SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2`,
        [northAdminUser.id, north],
      );
      expect(still?.role).toBe('admin');
    });

    it("should not reach another tenant's members, nor read with a write-only key", async () => {
      const patch = await withKey(writer, 'PATCH', `/users/${southStudent.id}`, {
        role: 'teacher',
      });
      expect(patch.status).toBe(404);
      const removal = await withKey(writer, 'DELETE', `/users/${southStudent.id}`);
      expect(removal.status).toBe(404);
      const elsewhere = await withKey(writer, 'POST', '/users', { ...pupil(), tenant_id: south });
      expect(elsewhere.status).toBe(403);
      const list = await withKey(writer, 'GET', '/users');
      expect([list.status, list.body.error_code]).toEqual([403, 'API_KEY_SCOPE_MISSING']);
      const [row] = await query<{ role: string }>(
        t.databaseUrl,
        `SELECT role FROM memberships WHERE user_id = $1 AND tenant_id = $2`,
        [southStudent.id, south],
      );
      expect(row?.role).toBe('student');
    });
  });

  it('should keep a platform key off accounts, platform roles and admins', async () => {
    const superAdmin = await login(t, await createUser(t, { superAdmin: true }));
    const platform = await createKey(superAdmin.access_token, ['users:write']);
    for (const change of [{ platform_role: 'super_admin' }, { is_active: false }]) {
      const response = await withKey(
        platform.key,
        'PATCH',
        `/users/${southStudent.id}?tenant_id=${south}`,
        change,
      );
      expect([response.status, response.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
    }
    const admin = await withKey(platform.key, 'POST', '/users', {
      ...pupil(),
      role: 'admin',
      tenant_id: south,
    });
    expect([admin.status, admin.body.error_code]).toEqual([403, 'AUTH_FORBIDDEN']);
    const [row] = await query<{ platform_role: string | null; is_active: boolean }>(
      t.databaseUrl,
      `SELECT platform_role, is_active FROM users WHERE id = $1`,
      [southStudent.id],
    );
    expect(row).toEqual({ platform_role: null, is_active: true });
  });

  it("should refuse a key once its school is deactivated or its plan's API integration is off", async () => {
    const school = await activateTenant(t);
    const admin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const key = (await createKey(admin.access_token, ['users:read'])).key;
    expect((await withKey(key, 'GET', '/users')).status).toBe(200);
    await market(t, 'PUT', `/mt/tenant/${school}/settings`, {
      config: { features: { api_integration: false } },
    });
    const off = await withKey(key, 'GET', '/users');
    expect([off.status, off.body.error_code]).toEqual([403, 'TENANT_FEATURE_DISABLED']);
    await market(t, 'PUT', `/mt/tenant/${school}/settings`, {
      config: { features: { api_integration: true } },
    });
    expect((await withKey(key, 'GET', '/users')).status).toBe(200);
    const deactivated = await market(t, 'POST', `/mt/tenant/${school}/deactivate`, {});
    expect(deactivated.status).toBeLessThan(300);
    const closed = await withKey(key, 'GET', '/users');
    expect([closed.status, closed.body.error_code]).toEqual([403, 'API_KEY_TENANT_INACTIVE']);
  });
});
