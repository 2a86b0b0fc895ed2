import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, DEFAULT_PASSWORD, login, type Tokens } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import { statementCounter, type SentStatement } from '../support/statement-counter.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const describeStatements = (sent: SentStatement[]): string =>
  sent
    .map(
      (s) =>
        `${s.requestId ? 'request' : 'background'}: ${s.sql.replace(/\s+/g, ' ').slice(0, 90)}`,
    )
    .join('\n');

/**
 * What a sign-in and a refresh cost the database, counted at the driver: a change that adds a
 * round trip to either fails here and has to say why. Workers and the outbox relay run, as in
 * production.
 */
describe('statements per sign-in and refresh', () => {
  let t: TestApp;
  let counter: Awaited<ReturnType<typeof statementCounter>>;

  const relayed = async (): Promise<void> => {
    await waitFor(
      async () =>
        (
          await query<{ pending: number }>(
            t.databaseUrl,
            `SELECT count(*)::int AS pending FROM outbox_events WHERE published_at IS NULL`,
          )
        )[0]?.pending === 0,
      { timeoutMs: 5000, intervalMs: 20 },
    );
  };
  const quiet = () => new Promise((resolve) => setTimeout(resolve, 400));

  beforeAll(async () => {
    t = await startTestApp({ env: { QUEUE_WORKERS_ENABLED: 'true' } });
    counter = await statementCounter(t.databaseUrl);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should sign in with two reads and one transaction of two writes on the request', async () => {
    const user = await createUser(t);
    await login(t, user);
    await relayed();
    await quiet();

    counter.start();
    const response = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email: user.email, password: DEFAULT_PASSWORD },
    });
    const sent = counter.stop();

    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-request-id');
    const own = sent.filter((s) => s.requestId === requestId);
    // The account with its memberships and the identifier's lock (read alike for every
    // attempt); then BEGIN, the user's row (its lock), the session with its history and
    // event, COMMIT.
    if (own.length !== 6) {
      process.stderr.write(`${describeStatements(own)}\n`);
    }
    expect(own).toHaveLength(6);
    expect(own.filter((s) => /INSERT INTO (login_history|outbox_events)/.test(s.sql))).toHaveLength(
      1,
    );
    // All but BEGIN and COMMIT prepared: parsed and planned once per connection, not each time.
    expect(own.filter((s) => !s.prepared).map((s) => s.sql.trim().split(/\s+/)[0])).toEqual([
      'START',
      'COMMIT',
    ]);
  });

  it('should relay the events of many sign-ins in a few jobs, not one per event', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => createUser(t)));
    await relayed();
    await quiet();
    const idle = await statementCounter(t.databaseUrl);
    idle.start();
    await quiet();
    const idleRate = idle.stop().length / 400;

    counter.start();
    const started = Date.now();
    const responses = await Promise.all(
      users.map((user) =>
        requestJson(`${t.baseUrl}/api/v1/auth/login`, {
          method: 'POST',
          json: { email: user.email, password: DEFAULT_PASSWORD },
        }),
      ),
    );
    await relayed();
    // The queue's own API: with REDIS_URL set its jobs are in Redis.
    const queue = t.app.get<{ getJobCounts(...types: string[]): Promise<Record<string, number>> }>(
      'BullQueue_events',
      { strict: false },
    );
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts('waiting', 'active');
        return counts.waiting === 0 && counts.active === 0;
      },
      { timeoutMs: 5000, intervalMs: 20 },
    );
    await quiet();
    const sent = counter.stop();
    const elapsed = Date.now() - started;

    expect(responses.map((r) => r.status)).toEqual(users.map(() => 200));
    const requestIds = new Set(responses.map((r) => r.headers.get('x-request-id')));
    const onRequests = sent.filter((s) => s.requestId && requestIds.has(s.requestId)).length;
    const background = sent.filter((s) => !s.requestId).length - idleRate * elapsed;
    expect(onRequests / users.length).toBe(6);
    // The relay's batches, their jobs' claims and completions, and the buffered audit rows.
    // One job per event cost 12-15 statements per sign-in. How many batches 20 sign-ins make
    // depends on how the hashing spreads them in time (a loaded CI machine made five jobs of
    // them, 3.05 statements per sign-in), so the bound is half of one job per event.
    if (background / users.length >= 7) {
      process.stderr.write(`${describeStatements(sent)}\n`);
    }
    expect(background / users.length).toBeLessThan(7);
  });

  it('should refresh in one statement on the request', async () => {
    const user = await createUser(t);
    const tokens = await login(t, user);
    await relayed();
    await quiet();

    counter.start();
    const response = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      json: { refresh_token: tokens.refresh_token },
    });
    const sent = counter.stop();

    expect(response.status).toBe(200);
    const own = sent.filter((s) => s.requestId === response.headers.get('x-request-id'));
    expect(own.map((s) => s.sql.trim().split(/\s+/)[0])).toEqual(['UPDATE']);
    expect(own[0]?.prepared).toBe(true);
  });
});

/** For a pooler in transaction mode, which cannot keep a connection's prepared statements. */
describe('statements with DATABASE_PREPARED_STATEMENTS=false', () => {
  let t: TestApp;
  let counter: Awaited<ReturnType<typeof statementCounter>>;

  beforeAll(async () => {
    t = await startTestApp({ env: { DATABASE_PREPARED_STATEMENTS: 'false' } });
    counter = await statementCounter(t.databaseUrl);
  });

  afterAll(async () => {
    await t.close();
  });

  it('should sign in and refresh with every statement unnamed', async () => {
    const user = await createUser(t);

    counter.start();
    const signedIn = await login(t, user);
    const refreshed = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/refresh`, {
      method: 'POST',
      json: { refresh_token: signedIn.refresh_token },
    });
    const sent = counter.stop();

    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(signedIn.refresh_token);
    const onRequests = sent.filter((s) => s.requestId !== undefined);
    expect(onRequests.length).toBeGreaterThanOrEqual(7);
    expect(onRequests.filter((s) => s.prepared)).toEqual([]);
  });
});
