import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { query } from '../support/database-client.js';
import { requestJson, uniqueClientIp, waitFor } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

export const DEFAULT_PASSWORD = 'Seed-2026-garden';

export interface TestUser {
  id: string;
  email: string;
  password: string;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: { id: string; memberships: Array<{ tenant_id: string; role: string }> };
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@school.test`;
}

export function uniqueTenantId(prefix = 'school'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

export async function createTenant(
  t: TestApp,
  overrides: { id?: string; name?: string; status?: string } = {},
): Promise<string> {
  const id = overrides.id ?? uniqueTenantId();
  await query(t.databaseUrl, `INSERT INTO tenants (id, name, status) VALUES ($1, $2, $3)`, [
    id,
    overrides.name ?? `School ${id}`,
    overrides.status ?? 'active',
  ]);
  return id;
}

export async function addMembership(
  t: TestApp,
  userId: string,
  tenantId: string,
  role: 'student' | 'teacher' | 'admin',
): Promise<void> {
  await query(
    t.databaseUrl,
    `INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)`,
    [userId, tenantId, role],
  );
}

/** Registers through the API, then marks the address verified (the mail flow has its own test). */
export async function createUser(
  t: TestApp,
  options: {
    email?: string;
    password?: string;
    tenant?: string;
    role?: 'student' | 'teacher' | 'admin';
    superAdmin?: boolean;
    verified?: boolean;
    /** The account is managed by `tenant`, as one the school made (registered ones are not) */
    schoolManaged?: boolean;
  } = {},
): Promise<TestUser> {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? DEFAULT_PASSWORD;
  const response = await requestJson(`${t.baseUrl}/api/v1/auth/register`, {
    method: 'POST',
    json: { email, password, full_name: 'Test Person' },
    headers: { 'x-forwarded-for': uniqueClientIp() },
  });
  const id = response.status === 202 ? await userIdOf(t, email) : undefined;
  if (!id) {
    throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  if (options.verified !== false) {
    await query(t.databaseUrl, `UPDATE users SET email_verified_at = now() WHERE id = $1`, [id]);
  }
  if (options.superAdmin) {
    await query(t.databaseUrl, `UPDATE users SET platform_role = 'super_admin' WHERE id = $1`, [
      id,
    ]);
  }
  if (options.tenant) {
    await addMembership(t, id, options.tenant, options.role ?? 'student');
    if (options.schoolManaged) {
      await query(t.databaseUrl, `UPDATE users SET managed_by_tenant_id = $2 WHERE id = $1`, [
        id,
        options.tenant,
      ]);
    }
  }
  return { id, email, password };
}

/** Registration answers 202 without a body (a taken address too): the id comes from the database. */
export async function userIdOf(t: TestApp, email: string): Promise<string | undefined> {
  const [row] = await query<{ id: string }>(
    t.databaseUrl,
    `SELECT id FROM users WHERE email = lower($1) AND deleted_at IS NULL`,
    [email],
  );
  return row?.id;
}

export async function login(
  t: TestApp,
  user: { email: string; password: string },
  extra: { tenant_id?: string; userAgent?: string } = {},
): Promise<Tokens> {
  const response = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    json: {
      email: user.email,
      password: user.password,
      ...(extra.tenant_id ? { tenant_id: extra.tenant_id } : {}),
    },
    headers: extra.userAgent ? { 'user-agent': extra.userAgent } : {},
  });
  if (response.status !== 200) {
    throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});

/** Undoes quoted-printable, then finds the `#token=` of the first link in a mail. */
export function tokenFromMail(raw: string): string {
  const decoded = raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  const match = /#token=([A-Za-z0-9_-]+)/.exec(decoded);
  if (!match?.[1]) {
    throw new Error('no token link in the mail');
  }
  return match[1];
}

/** Waits for the `.eml` mail to `to` (with the subject fragment) written to the app's outbox. */
export async function mailTo(t: TestApp, to: string, subject: string): Promise<string> {
  return waitFor(async () => {
    for (const file of await readdir(t.outboxDir)) {
      const raw = await readFile(path.join(t.outboxDir, file), 'utf8');
      if (raw.includes(to) && raw.includes(subject)) {
        return raw;
      }
    }
    return undefined;
  });
}
