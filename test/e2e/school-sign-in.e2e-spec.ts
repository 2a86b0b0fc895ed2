import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hash } from '@node-rs/argon2';
import { createTenant } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PUPILS = 300;
const NAMED = 10;
const PASSWORD = 'Garden-Path-42!';

/** Runs the tasks with at most `limit` in flight, keeping each result at its task's index. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return results;
}

describe('a whole school signing in from one address', () => {
  let t: TestApp;
  let school: string;
  // The clock stands still: every attempt happens within the same minute for the lockout.
  const clock = new ManualClock();
  const signIn = (username: string, password: string) =>
    requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { tenant_id: school, username, password },
    });

  beforeAll(async () => {
    // The production budgets (startTestApp raises them for other tests): 100 anonymous requests
    // an hour per address, 5 failed logins a minute per address + account, lock after 5.
    t = await startTestApp({
      clock,
      env: {
        RATE_LIMIT_ANONYMOUS_LIMIT: '100',
        RATE_LIMIT_LOGIN_LIMIT: '5',
        RATE_LIMIT_REGISTER_LIMIT: '3',
        RATE_LIMIT_ACCOUNT_EMAIL_LIMIT: '3',
      },
    });
    school = await createTenant(t);
    // One argon2id hash (the app's parameters, so no rehash at sign-in) for every pupil.
    const passwordHash = await hash(PASSWORD, {
      algorithm: 2,
      memoryCost: 19456,
      timeCost: 2,
      parallelism: 1,
    });
    await query(
      t.databaseUrl,
      `WITH created AS (
         INSERT INTO users (email, password_hash, full_name)
         SELECT NULL, $1, 'Pupil ' || n FROM generate_series(1, $3::int) AS n
         RETURNING id, full_name)
       INSERT INTO memberships (user_id, tenant_id, role, username)
       SELECT id, $2, 'student', 'pupil' || split_part(full_name, ' ', 2) FROM created`,
      [passwordHash, school, PUPILS + NAMED],
    );
  }, 60_000);

  afterAll(async () => {
    await t.close();
  });

  it('should sign in 300 pupils while 1,000 wrong passwords from their address lock only the accounts they named', async () => {
    const pupils = Array.from({ length: PUPILS }, (_, i) => `pupil${i + 1}`);
    // Ten real classmates and ten names nobody has: 50 wrong passwords each.
    const named = [
      ...Array.from({ length: NAMED }, (_, i) => `pupil${PUPILS + i + 1}`),
      ...Array.from({ length: NAMED }, (_, i) => `nobody${i + 1}`),
    ];
    const attempts = Array.from({ length: 1000 }, (_, i) => named[i % named.length] ?? '');

    const started = Date.now();
    const [pupilAnswers, attack] = await Promise.all([
      inParallel(
        pupils.map((username) => () => signIn(username, PASSWORD)),
        12,
      ),
      // Round robin over the names, 4 in flight: each name's attempts come one after another.
      inParallel(
        attempts.map((username) => () => signIn(username, 'Wrong-password-1')),
        4,
      ),
    ]);
    const seconds = (Date.now() - started) / 1000;

    expect(pupilAnswers.map((response) => response.status)).toEqual(pupils.map(() => 200));
    expect(seconds).toBeLessThan(60);
    for (const name of named) {
      const statuses = attack
        .filter((_, i) => attempts[i] === name)
        .map((response) => response.status);
      // Four refusals, then the lock (the fifth failure sets it) for the rest: never a 429.
      expect(statuses).toEqual([401, 401, 401, 401, ...statuses.slice(4).map(() => 423)]);
    }
    // The named accounts are locked, even with the right password; everyone else is not.
    for (const name of named.slice(0, NAMED)) {
      const locked = await signIn(name, PASSWORD);
      expect(locked.status).toBe(423);
      expect(locked.body.error_code).toBe('AUTH_ACCOUNT_LOCKED');
    }
    expect((await signIn('pupil1', PASSWORD)).status).toBe(200);
    expect((await signIn('pupil300', PASSWORD)).status).toBe(200);
    // Nor was the address's anonymous budget spent.
    expect((await requestJson(`${t.baseUrl}/api/v1/status`)).status).toBe(200);
  }, 180_000);
});
