import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { bearer, createTenant, createUser, login } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor, type JsonResponse } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Cached views (session state, profiles) against a request racing a change: the change's
 * transaction is held open by a table lock from the test's own connection, so the order of
 * "read old state", "commit", "drop" is fixed, not left to timing.
 */
describe('caches dropped after commit', () => {
  let t: TestApp;
  const me = (token: string): Promise<JsonResponse> =>
    requestJson(`${t.baseUrl}/api/v1/users/me`, { headers: bearer(token) });

  /** Takes `lock` on `table` in a transaction of its own; statements that conflict queue. */
  async function holdLock(table: string, lock: string): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN ${lock} MODE`);
    return async () => {
      await client.query('COMMIT');
      await client.end();
    };
  }

  /** Waits until `count` of the app's statements touching `table` queue behind the lock. */
  async function waitForBlocked(table: string, count: number): Promise<void> {
    await waitFor(
      async () => {
        const [row] = await query<{ blocked: string }>(
          t.databaseUrl,
          `SELECT count(*) AS blocked FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE $1`,
          [`%${table}%`],
        );
        return Number(row?.blocked ?? 0) >= count;
      },
      { timeoutMs: 4000, intervalMs: 20 },
    );
  }

  beforeAll(async () => {
    t = await startTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('should refuse a session ended by logout-all at once, though a request cached it while the change was uncommitted', async () => {
    const user = await createUser(t);
    const phone = await login(t, user, { userAgent: 'phone' });
    const laptop = await login(t, user, { userAgent: 'laptop' });
    // logout-all ends the sessions, then writes its event: the lock holds it between the two.
    const release = await holdLock('outbox_events', 'SHARE');
    const logoutAll = requestJson(`${t.baseUrl}/api/v1/auth/logout-all`, {
      method: 'POST',
      headers: bearer(laptop.access_token),
    });
    await waitForBlocked('outbox_events', 1);
    // Uncommitted: the phone's session is still live for everyone else, and gets cached.
    expect((await me(phone.access_token)).status).toBe(200);
    await release();
    expect((await logoutAll).status).toBe(204);
    const after = await me(phone.access_token);
    expect(after.status).toBe(401);
    expect(after.body.error_code).toBe('AUTH_SESSION_REVOKED');
  });

  it('should refuse a member suspended by an admin at once, though a request cached their session while the change was uncommitted', async () => {
    const tenant = await createTenant(t);
    const admin = await createUser(t, { tenant, role: 'admin' });
    const member = await createUser(t, { tenant, role: 'teacher' });
    const adminTokens = await login(t, admin);
    const memberTokens = await login(t, member);
    const release = await holdLock('outbox_events', 'SHARE');
    const suspend = requestJson(`${t.baseUrl}/api/v1/users/${member.id}`, {
      method: 'PATCH',
      headers: bearer(adminTokens.access_token),
      json: { status: 'suspended' },
    });
    await waitForBlocked('outbox_events', 1);
    expect((await me(memberTokens.access_token)).status).toBe(200);
    await release();
    expect((await suspend).status).toBe(200);
    expect((await me(memberTokens.access_token)).status).toBe(401);
  });

  it('should not keep a profile read before a change committed and cached after its drop', async () => {
    const user = await createUser(t);
    const tokens = await login(t, user);
    // The session check is cached (it reads memberships too), so only the profile read blocks.
    expect(
      (
        await requestJson(`${t.baseUrl}/api/v1/users/me/sessions`, {
          headers: bearer(tokens.access_token),
        })
      ).status,
    ).toBe(200);
    const release = await holdLock('memberships', 'ACCESS EXCLUSIVE');
    // B reads the account (old name), then waits for the memberships.
    const racing = me(tokens.access_token);
    await waitForBlocked('memberships', 1);
    // A renames, commits and drops the profile, then reads it back (and waits too).
    const rename = requestJson(`${t.baseUrl}/api/v1/users/me`, {
      method: 'PATCH',
      headers: bearer(tokens.access_token),
      json: { full_name: 'Renamed Person' },
    });
    await waitForBlocked('memberships', 2);
    const [stored] = await query<{ full_name: string }>(
      t.databaseUrl,
      `SELECT full_name FROM users WHERE id = $1`,
      [user.id],
    );
    expect(stored?.full_name).toBe('Renamed Person');
    await release();
    // B answers what it read before the commit; the cache must not keep it.
    expect((await racing).body.full_name).toBe('Test Person');
    expect((await rename).body.full_name).toBe('Renamed Person');
    expect((await me(tokens.access_token)).body.full_name).toBe('Renamed Person');
  });
});
