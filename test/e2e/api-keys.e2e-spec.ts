import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login, type Tokens } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, uniqueClientIp, waitFor } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const RBAC = 'test/fixtures/rbac-probe.module.ts#RbacProbeModule';

interface CreatedKey {
  id: string;
  key: string;
  prefix: string;
  tenant_id: string | null;
  scopes: string[];
  error_code?: string;
  details?: unknown;
}

describe('API keys for service accounts', () => {
  let t: TestApp;
  const clock = new ManualClock();
  let north: string;
  let south: string;
  let northAdmin: Tokens;
  let southAdmin: Tokens;
  let teacher: Tokens;
  let superAdmin: Tokens;

  const create = (token: string, body: Record<string, unknown>) =>
    requestJson<CreatedKey>(`${t.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: bearer(token),
      json: body,
    });
  const withKey = (key: string, path: string, init: RequestInit = {}) =>
    requestJson<Record<string, unknown>>(`${t.baseUrl}${path}`, {
      ...init,
      headers: { 'x-api-key': key, ...(init.headers as Record<string, string>) },
    });

  beforeAll(async () => {
    t = await startTestApp({ clock, fixtures: [RBAC] });
    north = await createTenant(t);
    south = await createTenant(t);
    northAdmin = await login(t, await createUser(t, { tenant: north, role: 'admin' }));
    southAdmin = await login(t, await createUser(t, { tenant: south, role: 'admin' }));
    teacher = await login(t, await createUser(t, { tenant: north, role: 'teacher' }));
    superAdmin = await login(t, await createUser(t, { superAdmin: true }));
  });

  afterAll(async () => {
    await t.close();
  });

  it('should show a new key once, keep only its hash, and list it without the secret', async () => {
    const created = await create(northAdmin.access_token, {
      name: 'Gradebook sync',
      scopes: ['audit:read'],
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^dsk[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.body.key.startsWith(`${created.body.prefix}_`)).toBe(true);
    expect(created.body.tenant_id).toBe(north);
    const listed = await requestJson<Array<Record<string, unknown>>>(
      `${t.baseUrl}/api/v1/api-keys`,
      { headers: bearer(northAdmin.access_token) },
    );
    const entry = listed.body.find((key) => key.id === created.body.id);
    expect(entry).toMatchObject({ name: 'Gradebook sync', prefix: created.body.prefix });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
    const [row] = await query<{ key_hash: string }>(
      t.databaseUrl,
      `SELECT key_hash FROM api_keys WHERE id = $1`,
      [created.body.id],
    );
    expect(row?.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.key_hash).not.toContain(created.body.key);
    const southList = await requestJson<unknown[]>(`${t.baseUrl}/api/v1/api-keys`, {
      headers: bearer(southAdmin.access_token),
    });
    expect(JSON.stringify(southList.body)).not.toContain(created.body.id);
  });

  it('should work for its scopes only, on routes that accept keys, within its tenant', async () => {
    const auditor = (
      await create(northAdmin.access_token, { name: 'SIEM', scopes: ['audit:read'] })
    ).body.key;
    const reader = (
      await create(northAdmin.access_token, { name: 'Roster', scopes: ['users:read'] })
    ).body.key;
    const audit = await withKey(auditor, '/api/v1/audit-logs');
    expect(audit.status).toBe(200);
    const items = audit.body.items as Array<{ tenant_id: string }>;
    expect(items.every((item) => item.tenant_id === north)).toBe(true);
    const otherTenant = await withKey(auditor, `/api/v1/audit-logs?tenant_id=${south}`);
    expect(otherTenant.status).toBe(403);
    const wrongScope = await withKey(reader, '/api/v1/audit-logs');
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body.error_code).toBe('API_KEY_SCOPE_MISSING');
    const notAccepted = await withKey(auditor, '/api/v1/users/me');
    expect(notAccepted.status).toBe(403);
    expect(notAccepted.body.error_code).toBe('API_KEY_NOT_ACCEPTED');
    const noKeyManagement = await withKey(auditor, '/api/v1/api-keys');
    expect(noKeyManagement.status).toBe(403);
  });

  it('should name the key as the actor of what it does', async () => {
    const created = await create(northAdmin.access_token, {
      name: 'Sync',
      scopes: ['users:write'],
    });
    const synced = await withKey(created.body.key, '/api/v1/rbac-probe/sync', { method: 'POST' });
    expect(synced.status).toBe(200);
    expect(synced.body.caller).toBe('api_key');
    await waitFor(async () => {
      const rows = await query<{ actor_type: string; tenant_id: string }>(
        t.databaseUrl,
        `SELECT actor_type, tenant_id FROM audit_logs WHERE actor_id = $1`,
        [created.body.id],
      );
      return rows.length === 1 && rows[0]?.actor_type === 'api_key' && rows[0].tenant_id === north;
    });
  });

  it('should refuse a key at once after it is revoked, once it expires, or when its school is deactivated', async () => {
    const revoked = await create(northAdmin.access_token, { name: 'Old', scopes: ['audit:read'] });
    expect((await withKey(revoked.body.key, '/api/v1/audit-logs')).status).toBe(200);
    const deletion = await requestJson(`${t.baseUrl}/api/v1/api-keys/${revoked.body.id}`, {
      method: 'DELETE',
      headers: bearer(northAdmin.access_token),
    });
    expect(deletion.status).toBe(204);
    const afterRevoke = await withKey(revoked.body.key, '/api/v1/audit-logs');
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.body.error_code).toBe('API_KEY_INVALID');

    const expiring = await create(northAdmin.access_token, {
      name: 'Temporary',
      scopes: ['audit:read'],
      expires_at: new Date(clock.nowMs() + 3600_000).toISOString(),
    });
    expect((await withKey(expiring.body.key, '/api/v1/audit-logs')).status).toBe(200);
    clock.advance(3600_000 + 1000);
    expect((await withKey(expiring.body.key, '/api/v1/audit-logs')).status).toBe(401);

    const closing = await createTenant(t);
    const closingAdmin = await login(t, await createUser(t, { tenant: closing, role: 'admin' }));
    const key = (
      await create(closingAdmin.access_token, { name: 'Closing sync', scopes: ['audit:read'] })
    ).body.key;
    expect((await withKey(key, '/api/v1/audit-logs')).status).toBe(200);
    await query(t.databaseUrl, `UPDATE tenants SET status = 'deactivated' WHERE id = $1`, [
      closing,
    ]);
    const closed = await withKey(key, '/api/v1/audit-logs');
    expect(closed.status).toBe(403);
    expect(closed.body).toMatchObject({
      error_code: 'API_KEY_TENANT_INACTIVE',
      details: { tenant_id: closing },
    });
  });

  it("should let a super admin make platform keys that read every school's trail", async () => {
    const platform = await create(superAdmin.access_token, { name: 'SOC', scopes: ['audit:read'] });
    expect(platform.body.tenant_id).toBeNull();
    const all = await withKey(platform.body.key, `/api/v1/audit-logs?tenant_id=${south}`);
    expect(all.status).toBe(200);
    const forSouth = await create(superAdmin.access_token, {
      name: 'South ops',
      scopes: ['audit:read'],
      tenant_id: south,
    });
    expect(forSouth.body.tenant_id).toBe(south);
  });

  it('should refuse other roles, other schools and bad input', async () => {
    expect(
      (await create(teacher.access_token, { name: 'Nope', scopes: ['audit:read'] })).status,
    ).toBe(403);
    const otherTenant = await create(northAdmin.access_token, {
      name: 'Sneaky',
      scopes: ['audit:read'],
      tenant_id: south,
    });
    expect(otherTenant.status).toBe(403);
    const southKey = await create(southAdmin.access_token, {
      name: 'South sync',
      scopes: ['audit:read'],
    });
    const crossRevoke = await requestJson(`${t.baseUrl}/api/v1/api-keys/${southKey.body.id}`, {
      method: 'DELETE',
      headers: bearer(northAdmin.access_token),
    });
    expect(crossRevoke.status).toBe(404);
    expect((await withKey(southKey.body.key, '/api/v1/audit-logs')).status).toBe(200);
    for (const body of [
      {},
      { name: 'x', scopes: ['audit:read'] },
      { name: 'Fine', scopes: [] },
      { name: 'Fine', scopes: ['root'] },
      { name: 'Fine', scopes: 'audit:read' },
      { name: 'Fine', scopes: ['audit:read', 'audit:read'] },
      { name: 'Fine', scopes: ['audit:read'], expires_at: '2001-01-01T00:00:00Z' },
      { name: 'Fine', scopes: ['audit:read'], expires_at: 'tomorrow' },
      { name: 'y'.repeat(10_000), scopes: ['audit:read'] },
      { name: 'Fine', scopes: ['audit:read'], key: 'mine' },
    ]) {
      const response = await create(northAdmin.access_token, body);
      expect([JSON.stringify(body).slice(0, 60), response.status]).toEqual([
        JSON.stringify(body).slice(0, 60),
        400,
      ]);
    }
    const unknownScope = await create(northAdmin.access_token, {
      name: 'Fine',
      scopes: ['users:read', 'classes:write'],
    });
    expect(unknownScope.status).toBe(400);
    expect(unknownScope.body.error_code).toBe('COMMON_VALIDATION_FAILED');
    expect(JSON.stringify(unknownScope.body.details)).toContain('scopes');
    expect(JSON.stringify(unknownScope.body.details)).toContain(
      'users:read, users:write, audit:read',
    );
    const unknownTenant = await create(superAdmin.access_token, {
      name: 'Ghost',
      scopes: ['audit:read'],
      tenant_id: 'no_such_school',
    });
    expect(unknownTenant.status).toBe(400);
    const missing = await requestJson(`${t.baseUrl}/api/v1/api-keys/${randomUUID()}`, {
      method: 'DELETE',
      headers: bearer(northAdmin.access_token),
    });
    expect(missing.status).toBe(404);
  });
});

describe('API key guessing', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: { TRUST_PROXY: 'true', RATE_LIMIT_API_KEY_FAILURE_LIMIT: '3' },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 429 after a few wrong keys from one address', async () => {
    const ip = uniqueClientIp();
    const guess = (key: string, from = ip) =>
      requestJson(`${t.baseUrl}/api/v1/audit-logs`, {
        headers: { 'x-api-key': key, 'x-forwarded-for': from },
      });
    const wrong = `dsk00000000_${'A'.repeat(43)}`;
    expect((await guess(wrong)).status).toBe(401);
    expect((await guess('garbage')).status).toBe(401);
    expect((await guess(wrong)).status).toBe(401);
    const limited = await guess(wrong);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await guess(wrong, uniqueClientIp())).status).toBe(401);
  });
});
