import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import {
  addMembership,
  createTenant,
  createUser,
  DEFAULT_PASSWORD,
  login,
  uniqueEmail,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, uniqueClientIp, waitFor } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

describe('sign-in security', () => {
  let t: TestApp;
  const clock = new ManualClock();
  const attempt = (email: string, password: string, extra: Record<string, string> = {}) =>
    requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email, password, ...extra },
    });

  beforeAll(async () => {
    t = await startTestApp({ clock });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should lock an account after 5 failures in a row, and unlock it after 15 minutes', async () => {
    const user = await createUser(t);
    for (let i = 1; i <= 4; i += 1) {
      const failed = await attempt(user.email, 'Wrong-password-1');
      expect(failed.status).toBe(401);
      expect(failed.body.error_code).toBe('AUTH_INVALID_CREDENTIALS');
    }
    const fifth = await attempt(user.email, 'Wrong-password-1');
    expect(fifth.status).toBe(423);
    expect(fifth.body.error_code).toBe('AUTH_ACCOUNT_LOCKED');
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    const lockedUntil = new Date((fifth.body.details as { locked_until: string }).locked_until);
    expect(lockedUntil.getTime() - clock.nowMs()).toBeGreaterThan(14 * 60_000);
    expect(lockedUntil.getTime() - clock.nowMs()).toBeLessThanOrEqual(15 * 60_000);

    // The right password does not open a locked account.
    const whileLocked = await attempt(user.email, user.password);
    expect(whileLocked.status).toBe(423);

    clock.advance(14 * 60_000);
    expect((await attempt(user.email, user.password)).status).toBe(423);
    clock.advance(60_000 + 1000);
    const unlocked = await attempt(user.email, user.password);
    expect(unlocked.status).toBe(200);
    const [row] = await query<{ failed_login_count: number; locked_until: Date | null }>(
      t.databaseUrl,
      `SELECT failed_login_count, locked_until FROM users WHERE id = $1`,
      [user.id],
    );
    expect(row).toEqual({ failed_login_count: 0, locked_until: null });
    await waitFor(async () => {
      const audit = await query(
        t.databaseUrl,
        `SELECT 1 FROM audit_logs WHERE action = 'auth.account_locked' AND actor_id = $1`,
        [user.id],
      );
      return audit.length === 1;
    });
  });

  it('should lock per account, so classmates behind one school address are not locked out', async () => {
    const victim = await createUser(t);
    const classmate = await createUser(t);
    for (let i = 0; i < 5; i += 1) {
      await attempt(victim.email, 'Wrong-password-1');
    }
    expect((await attempt(victim.email, victim.password)).status).toBe(423);
    expect((await attempt(classmate.email, classmate.password)).status).toBe(200);
  });

  it('should lock an unknown address after 5 failures exactly as it locks a known one', async () => {
    const known = await createUser(t);
    const unknown = uniqueEmail('nobody');
    // The clock keeps ticking from where the test set it: the lock's time is checked apart.
    const strip = (response: {
      status: number;
      body: Record<string, unknown>;
      headers: Headers;
    }) => ({
      status: response.status,
      body: {
        ...response.body,
        timestamp: undefined,
        request_id: undefined,
        details: response.body.details && { locked_until: expect.any(String) },
      },
      retryAfter: response.headers.get('retry-after'),
    });
    const answers = { known: [] as unknown[], unknown: [] as unknown[] };
    const raw: Array<{ body: Record<string, unknown> }> = [];
    for (let i = 0; i < 7; i += 1) {
      answers.known.push(strip(await attempt(known.email, 'Wrong-password-1')));
      // Typed differently: the same identifier once normalised, as for an account.
      const typed = i % 2 === 0 ? unknown : unknown.toUpperCase();
      const response = await attempt(typed, 'Wrong-password-1');
      raw.push(response);
      answers.unknown.push(strip(response));
    }
    expect(answers.unknown).toEqual(answers.known);
    expect(answers.unknown.map((a) => (a as { status: number }).status)).toEqual([
      401, 401, 401, 401, 423, 423, 423,
    ]);
    const details = raw[4]?.body.details as { locked_until: string };
    const lockFor = new Date(details.locked_until).getTime() - clock.nowMs();
    expect(lockFor).toBeGreaterThan(14 * 60_000);
    expect(lockFor).toBeLessThanOrEqual(15 * 60_000);

    // Both unlock after the window, and count from one again.
    clock.advance(15 * 60_000 + 1000);
    expect((await attempt(unknown, 'Wrong-password-1')).status).toBe(401);
    expect((await attempt(known.email, 'Wrong-password-1')).status).toBe(401);
    expect((await attempt(known.email, known.password)).status).toBe(200);

    // Stored as a keyed hash, never as the address.
    const rows = await query<{ identifier_hash: Buffer }>(
      t.databaseUrl,
      `SELECT identifier_hash FROM login_failures`,
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.identifier_hash).toHaveLength(32);
      expect(row.identifier_hash.toString('utf8')).not.toContain('nobody');
    }
  });

  it('should forget failures older than the lock window alike for known and unknown addresses', async () => {
    const known = await createUser(t);
    const unknown = uniqueEmail('nobody');
    for (let i = 0; i < 4; i += 1) {
      await attempt(known.email, 'Wrong-password-1');
      await attempt(unknown, 'Wrong-password-1');
    }
    clock.advance(16 * 60_000);
    expect((await attempt(known.email, 'Wrong-password-1')).status).toBe(401);
    expect((await attempt(unknown, 'Wrong-password-1')).status).toBe(401);
  });

  it('should lock an account without a password (Google only) like any other identifier', async () => {
    const googleOnly = await createUser(t);
    await query(t.databaseUrl, `UPDATE users SET password_hash = NULL WHERE id = $1`, [
      googleOnly.id,
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push((await attempt(googleOnly.email, 'Wrong-password-1')).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 423, 423]);
    // Its Google sign-in is not locked by strangers typing passwords.
    const [row] = await query<{ locked_until: Date | null }>(
      t.databaseUrl,
      `SELECT locked_until FROM users WHERE id = $1`,
      [googleOnly.id],
    );
    expect(row?.locked_until).toBeNull();
  });

  it('should keep the login_failures table to the identifiers of the last lock window', async () => {
    const count = async () =>
      Number(
        (await query<{ n: string }>(t.databaseUrl, `SELECT count(*) AS n FROM login_failures`))[0]
          ?.n,
      );
    for (let i = 0; i < 6; i += 1) {
      await attempt(uniqueEmail('made-up'), 'Wrong-password-1');
    }
    const before = await count();
    clock.advance(15 * 60_000 + 1000);
    // Each new failure clears expired rows: the made-up addresses of the last window go.
    for (let i = 0; i < 3; i += 1) {
      await attempt(uniqueEmail('made-up'), 'Wrong-password-1');
    }
    const after = await count();
    expect(before).toBeGreaterThanOrEqual(6);
    expect(after).toBeLessThanOrEqual(Math.max(3, before - 9));
  });

  it('should answer an unknown email and a wrong password identically, in status, body and time', async () => {
    const user = await createUser(t);
    const unknown = uniqueEmail('nobody');
    const strip = (body: Record<string, unknown>) => ({
      ...body,
      timestamp: undefined,
      request_id: undefined,
    });
    const a = await attempt(unknown, 'Wrong-password-1');
    const b = await attempt(user.email, 'Wrong-password-1');
    expect(a.status).toBe(b.status);
    expect(strip(a.body)).toEqual(strip(b.body));

    // Alternate the two kinds so drift in machine load hits both alike; reset the counter
    // so the real account never locks during the measurement.
    const times = { unknown: [] as number[], wrong: [] as number[] };
    for (let i = 0; i < 24; i += 1) {
      for (const kind of ['unknown', 'wrong'] as const) {
        const started = process.hrtime.bigint();
        await attempt(kind === 'unknown' ? unknown : user.email, 'Wrong-password-1');
        times[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      if (i % 3 === 2) {
        await query(t.databaseUrl, `UPDATE users SET failed_login_count = 0 WHERE id = $1`, [
          user.id,
        ]);
        await query(t.databaseUrl, `DELETE FROM login_failures`);
      }
    }
    const ratio = median(times.unknown) / median(times.wrong);
    expect(ratio).toBeGreaterThan(0.8);
    expect(ratio).toBeLessThan(1.2);
  });

  it('should verify an imported bcrypt hash and replace it with argon2id on sign-in', async () => {
    const user = await createUser(t);
    const legacy = await bcrypt.hash('Legacy-Pass-77', 10);
    await query(t.databaseUrl, `UPDATE users SET password_hash = $2 WHERE id = $1`, [
      user.id,
      legacy,
    ]);
    await login(t, { email: user.email, password: 'Legacy-Pass-77' });
    const [row] = await query<{ password_hash: string }>(
      t.databaseUrl,
      `SELECT password_hash FROM users WHERE id = $1`,
      [user.id],
    );
    expect(row?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await login(t, { email: user.email, password: 'Legacy-Pass-77' });
  });

  it('should refuse inactive and deleted accounts, and members of a school that is not active', async () => {
    const inactive = await createUser(t);
    await query(t.databaseUrl, `UPDATE users SET is_active = false WHERE id = $1`, [inactive.id]);
    const refusedInactive = await attempt(inactive.email, inactive.password);
    expect(refusedInactive.status).toBe(403);
    expect(refusedInactive.body.error_code).toBe('AUTH_ACCOUNT_DISABLED');
    // A wrong password on an inactive account says nothing about its state.
    expect((await attempt(inactive.email, 'Wrong-password-1')).body.error_code).toBe(
      'AUTH_INVALID_CREDENTIALS',
    );

    const deleted = await createUser(t);
    await query(t.databaseUrl, `UPDATE users SET deleted_at = now() WHERE id = $1`, [deleted.id]);
    const refusedDeleted = await attempt(deleted.email, deleted.password);
    expect(refusedDeleted.status).toBe(401);
    expect(refusedDeleted.body.error_code).toBe('AUTH_INVALID_CREDENTIALS');
    // The address of a deleted account can be registered again.
    const reused = await requestJson(`${t.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      json: { email: deleted.email, password: DEFAULT_PASSWORD, full_name: 'New Owner' },
    });
    expect(reused.status).toBe(202);
    const owners = await query(t.databaseUrl, `SELECT 1 FROM users WHERE email = $1`, [
      deleted.email,
    ]);
    expect(owners).toHaveLength(2);

    const suspended = await createTenant(t, { status: 'suspended' });
    const member = await createUser(t, { tenant: suspended, role: 'teacher' });
    const refusedMember = await attempt(member.email, member.password);
    expect(refusedMember.status).toBe(403);
    expect(refusedMember.body.error_code).toBe('AUTH_TENANT_INACTIVE');
    const active = await createTenant(t);
    await addMembership(t, member.id, active, 'student');
    const signedIn = await login(t, member);
    expect(signedIn.user.memberships.map((m) => m.tenant_id).sort()).toEqual(
      [active, suspended].sort(),
    );
    const explicit = await attempt(member.email, member.password, { tenant_id: suspended });
    expect(explicit.body.error_code).toBe('AUTH_TENANT_INACTIVE');
    const stranger = await attempt(member.email, member.password, {
      tenant_id: await createTenant(t),
    });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error_code).toBe('AUTH_NOT_A_MEMBER');
  });

  it('should record every attempt in the login history and keep last_login_at', async () => {
    const user = await createUser(t);
    const unknown = uniqueEmail('ghost');
    await attempt(user.email, 'Wrong-password-1');
    await attempt(unknown, 'Wrong-password-1');
    await login(t, user);
    const rows = await query<{ user_id: string | null; success: boolean; failure_reason: string }>(
      t.databaseUrl,
      `SELECT user_id, success, failure_reason FROM login_history
       WHERE email_tried IN ($1, $2) ORDER BY created_at`,
      [user.email, unknown],
    );
    expect(rows).toEqual([
      { user_id: user.id, success: false, failure_reason: 'invalid_password' },
      { user_id: null, success: false, failure_reason: 'user_not_found' },
      { user_id: user.id, success: true, failure_reason: null },
    ]);
    const [row] = await query<{ last_login_at: Date | null }>(
      t.databaseUrl,
      `SELECT last_login_at FROM users WHERE id = $1`,
      [user.id],
    );
    expect(row?.last_login_at).not.toBeNull();
  });
});

describe('credential route rate limits', () => {
  let t: TestApp;
  const clock = new ManualClock();
  const tryLogin = (from: string, body: Record<string, string>) =>
    requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: body,
      headers: { 'x-forwarded-for': from },
    });

  beforeAll(async () => {
    // The documented defaults: 5 failed logins a minute per address + account, lock after 5.
    t = await startTestApp({
      clock,
      env: {
        TRUST_PROXY: 'true',
        RATE_LIMIT_LOGIN_LIMIT: '5',
        RATE_LIMIT_REGISTER_LIMIT: '3',
        RATE_LIMIT_ACCOUNT_EMAIL_LIMIT: '2',
      },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should tell a locked-out user they are locked (423), not to retry in a minute (429)', async () => {
    const ip = uniqueClientIp();
    const user = await createUser(t);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      statuses.push(
        (await tryLogin(ip, { email: user.email, password: 'Wrong-password-1' })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 423, 423, 423, 423]);
    const locked = await tryLogin(ip, { email: user.email, password: user.password });
    expect(locked.status).toBe(423);
    expect(locked.body.error_code).toBe('AUTH_ACCOUNT_LOCKED');
  });

  it('should not count successful sign-ins toward the login budget', async () => {
    const ip = uniqueClientIp();
    const user = await createUser(t);
    for (let i = 0; i < 8; i += 1) {
      expect((await tryLogin(ip, { email: user.email, password: user.password })).status).toBe(200);
    }
  });

  it('should allow 3 registrations an hour per address and email, the same 202 for a taken one, and limit mail requests', async () => {
    const ip = uniqueClientIp();
    const email = uniqueEmail();
    const register = () =>
      requestJson(`${t.baseUrl}/api/v1/auth/register`, {
        method: 'POST',
        json: { email, password: DEFAULT_PASSWORD, full_name: 'Rate Limited' },
        headers: { 'x-forwarded-for': ip },
      });
    expect((await register()).status).toBe(202);
    expect((await register()).status).toBe(202);
    expect((await register()).status).toBe(202);
    expect((await register()).status).toBe(429);

    const forgot = () =>
      requestJson(`${t.baseUrl}/api/v1/auth/forgot-password`, {
        method: 'POST',
        json: { email },
        headers: { 'x-forwarded-for': ip },
      });
    expect((await forgot()).status).toBe(202);
    expect((await forgot()).status).toBe(202);
    expect((await forgot()).status).toBe(429);
  });
});

describe('the login budget on its own (lockout threshold above it)', () => {
  let t: TestApp;
  const tryLogin = (from: string, body: Record<string, string>) =>
    requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: body,
      headers: { 'x-forwarded-for': from },
    });

  beforeAll(async () => {
    t = await startTestApp({
      env: { TRUST_PROXY: 'true', RATE_LIMIT_LOGIN_LIMIT: '5', MAX_LOGIN_ATTEMPTS: '100' },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should allow 5 failed logins a minute per address and account, in the envelope with Retry-After', async () => {
    const ip = uniqueClientIp();
    const email = uniqueEmail();
    const wrong = (from: string, account: string) =>
      tryLogin(from, { email: account, password: 'Wrong-password-1' });
    for (let i = 0; i < 5; i += 1) {
      expect((await wrong(ip, email)).status).toBe(401);
    }
    const limited = await wrong(ip, email.toUpperCase());
    expect(limited.status).toBe(429);
    expect(limited.body.error_code).toBe('COMMON_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Another account from the same address, or the same account from elsewhere, still gets in.
    expect((await wrong(ip, uniqueEmail())).status).toBe(401);
    expect((await wrong(uniqueClientIp(), email)).status).toBe(401);
  });

  it('should key a pupil budget by the username as the account lookup reads it (any case)', async () => {
    const ip = uniqueClientIp();
    const tenant = await createTenant(t);
    const pupil = (username: string) =>
      tryLogin(ip, { tenant_id: tenant, username, password: 'Wrong-password-1' });
    for (const typed of ['Jimin.Kim', 'jimin.kim', 'JIMIN.KIM', 'jiMin.kIm', 'Jimin.KIM']) {
      expect((await pupil(typed)).status).toBe(401);
    }
    const limited = await pupil('JiMiN.kim');
    expect(limited.status).toBe(429);
    expect(limited.body.error_code).toBe('COMMON_RATE_LIMITED');
  });
});
