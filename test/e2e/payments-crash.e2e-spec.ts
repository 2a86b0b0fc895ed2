import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createUser, login, type TestUser } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { FakeStripe, type FakeEvent } from '../support/fake-stripe/index.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/http.js';
import {
  checkout,
  createPlan,
  deliver,
  mailsMatching,
  NEXT_WEBHOOK_SECRET,
  processed,
  STRIPE_KEY,
  subscriptionOf,
  WEBHOOK_SECRET,
  type PlanView,
} from '../support/payments.js';
import type { TestApp } from '../support/test-app.js';
import { createTestDatabase } from '../setup/test-database.js';

const MAIN = path.resolve(import.meta.dirname, '../../.test-dist/src/entry.cjs');

interface RunningApp {
  child: ChildProcess;
  output: string[];
  exited: Promise<NodeJS.Signals | number | null>;
}

interface Deployment {
  stripe: FakeStripe;
  databaseUrl: string;
  outboxDir: string;
  port: number;
  /** The app as the factories see it: its address, database and mail outbox. */
  t: TestApp;
  start(workers: boolean): Promise<RunningApp>;
  close(): Promise<void>;
}

interface StoredEvent {
  id: string;
  processed_at: Date | null;
  enqueued_at: Date | null;
  failed_at: Date | null;
  attempts: number;
}

/** `node .test-dist/src/entry.cjs`, as production runs it, on a test database and a fake Stripe. */
async function deployment(): Promise<Deployment> {
  const database = await createTestDatabase();
  const stripe = await FakeStripe.start({ secretKey: STRIPE_KEY });
  const outboxDir = await mkdtemp(path.join(tmpdir(), 'dreamseed-crash-mail-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  stripe.webhook = { url: `${baseUrl}/api/v1/webhooks/stripe`, secret: WEBHOOK_SECRET };
  const running: RunningApp[] = [];
  const { SMTP_HOST: _smtp, REDIS_URL: _redis, ...inherited } = process.env;
  const env = {
    ...inherited,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: database.url,
    MAIL_OUTBOX_DIR: outboxDir,
    RATE_LIMIT_ANONYMOUS_LIMIT: '100000',
    RATE_LIMIT_AUTHENTICATED_LIMIT: '100000',
    RATE_LIMIT_LOGIN_LIMIT: '100000',
    RATE_LIMIT_REGISTER_LIMIT: '100000',
    RATE_LIMIT_REDIS_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    STRIPE_SECRET_KEY: STRIPE_KEY,
    STRIPE_WEBHOOK_SECRETS: `${WEBHOOK_SECRET},${NEXT_WEBHOOK_SECRET}`,
    STRIPE_API_HOST: stripe.host,
    STRIPE_API_PORT: String(stripe.port),
    STRIPE_API_PROTOCOL: 'http',
    STRIPE_EVENT_MAX_ATTEMPTS: '3',
    STRIPE_EVENT_RETRY_DELAY_MS: '100',
  };
  const close = async () => {
    for (const app of running) {
      if (app.child.exitCode === null && app.child.signalCode === null) {
        app.child.kill('SIGTERM');
        await app.exited;
      }
    }
    await stripe.close();
    await database.drop();
    await rm(outboxDir, { recursive: true, force: true });
  };
  return {
    stripe,
    databaseUrl: database.url,
    outboxDir,
    port,
    // Only the address, database and outbox are read from it: the app runs in its own process.
    t: { app: undefined as never, baseUrl, databaseUrl: database.url, outboxDir, close },
    close,
    start: async (workers) => {
      const child = spawn(process.execPath, [MAIN], {
        env: { ...env, QUEUE_WORKERS_ENABLED: String(workers) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.on('exit', (code, signal) => resolve(signal ?? code)),
      );
      const app = { child, output, exited };
      running.push(app);
      await waitFor(
        async () => {
          if (child.exitCode !== null) {
            throw new Error(`the app exited (${child.exitCode}): ${output.join('')}`);
          }
          const ready = await fetch(`${baseUrl}/health/readiness`).catch(() => undefined);
          return ready?.status === 200;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      return app;
    },
  };
}

function eventOf(events: FakeEvent[], type: string): FakeEvent {
  const found = events.find((event) => event.type === type);
  if (!found) {
    throw new Error(`no ${type} among the events`);
  }
  return found;
}

describe('payments: a crash does not lose or repeat a Stripe event', () => {
  let d: Deployment | undefined;

  afterEach(async () => {
    await d?.close();
    d = undefined;
  });

  const storedEvents = (databaseUrl: string, ids: string[]) =>
    query<StoredEvent>(
      databaseUrl,
      `SELECT id, processed_at, enqueued_at, failed_at, attempts FROM stripe_events
       WHERE id = ANY($1) ORDER BY id`,
      [ids],
    );

  const transactionsOf = (current: Deployment, subscriptionId: string) =>
    query(
      current.databaseUrl,
      `SELECT t.amount, t.status FROM payment_transactions t
       JOIN subscriptions s ON s.id = t.subscription_id WHERE s.stripe_subscription_id = $1`,
      [subscriptionId],
    );

  /** A plan, and a buyer who has completed Stripe's checkout for it: no event delivered yet. */
  async function purchase(
    current: Deployment,
  ): Promise<{ buyer: TestUser; events: FakeEvent[]; subscriptionId: string }> {
    const admin = await login(current.t, await createUser(current.t, { superAdmin: true }));
    const plan: PlanView = await createPlan(current.t, admin.access_token, { name: 'Crash plan' });
    const buyer = await createUser(current.t);
    const tokens = await login(current.t, buyer);
    const sessionId = await checkout(current.t, tokens.access_token, plan.id);
    const events = current.stripe.completeCheckout(sessionId);
    return { buyer, events, subscriptionId: subscriptionOf(events) };
  }

  /** The checkout was applied once: one payment, an active subscription, one started mail. */
  async function expectAppliedOnce(
    current: Deployment,
    buyer: TestUser,
    events: FakeEvent[],
    subscriptionId: string,
  ): Promise<void> {
    const ids = events.map((event) => event.id);
    await processed(current.t, events);
    const rows = await storedEvents(current.databaseUrl, ids);
    expect(rows).toHaveLength(events.length);
    for (const row of rows) {
      expect(row).toMatchObject({
        attempts: 1,
        failed_at: null,
        processed_at: expect.any(Date),
        enqueued_at: expect.any(Date),
      });
    }
    expect(await transactionsOf(current, subscriptionId)).toEqual([
      { amount: '990', status: 'succeeded' },
    ]);
    const [subscription] = await query<{ status: string; payer_user_id: string }>(
      current.databaseUrl,
      `SELECT status, payer_user_id FROM subscriptions WHERE stripe_subscription_id = $1`,
      [subscriptionId],
    );
    expect(subscription).toEqual({ status: 'active', payer_user_id: buyer.id });
    const started = await query(
      current.databaseUrl,
      `SELECT o.id FROM outbox_events o JOIN subscriptions s ON s.id::text = o.aggregate_id
       WHERE o.type = 'subscription.started' AND s.stripe_subscription_id = $1`,
      [subscriptionId],
    );
    expect(started).toHaveLength(1);
    const mails = await waitFor(async () => {
      const found = await mailsMatching(current.t, buyer.email, 'subscription has started');
      return found.length > 0 ? found : undefined;
    });
    expect(mails).toHaveLength(1);
  }

  it('should process once, after a restart, the events stored and queued by a process killed with SIGKILL', async () => {
    const current = await deployment();
    d = current;
    const first = await current.start(false);
    const { buyer, events, subscriptionId } = await purchase(current);
    await deliver(current.stripe, events);
    const ids = events.map((event) => event.id);
    // Stored and handed to the queue, but no worker runs in this process.
    const queued = await waitFor(async () => {
      const rows = await storedEvents(current.databaseUrl, ids);
      return rows.length === ids.length && rows.every((row) => row.enqueued_at) ? rows : undefined;
    });
    for (const row of queued) {
      expect(row).toMatchObject({ processed_at: null, attempts: 0 });
    }

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    await current.start(true);
    await expectAppliedOnce(current, buyer, events, subscriptionId);
  }, 180_000);

  it('should process once an event whose worker was killed with SIGKILL in the middle of it', async () => {
    const current = await deployment();
    d = current;
    const first = await current.start(true);
    const { buyer, events, subscriptionId } = await purchase(current);
    const fetches = () =>
      current.stripe.requests.filter(
        (request) => request.path === `/v1/subscriptions/${subscriptionId}`,
      ).length;
    // The sync holds its transaction while the SDK waits to retry these: the process dies there.
    current.stripe.failNext(2, { status: 500, path: /^\/v1\/subscriptions\//, method: 'GET' });
    await deliver(current.stripe, [eventOf(events, 'invoice.paid')]);
    await waitFor(() => Promise.resolve(fetches() >= 1), { timeoutMs: 20_000, intervalMs: 10 });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const [interrupted] = await storedEvents(current.databaseUrl, [
      eventOf(events, 'invoice.paid').id,
    ]);
    expect(interrupted).toMatchObject({ processed_at: null, attempts: 0 });
    expect(await transactionsOf(current, subscriptionId)).toEqual([]);

    // The new process finds the job its predecessor held (stalled once its lock expires).
    await current.start(true);
    await waitFor(
      async () => {
        const [row] = await storedEvents(current.databaseUrl, [eventOf(events, 'invoice.paid').id]);
        return row?.processed_at;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    await deliver(current.stripe, events);
    await expectAppliedOnce(current, buyer, events, subscriptionId);
  }, 180_000);

  it('should pick up, after a restart, events stored by a process that died before queueing them', async () => {
    const current = await deployment();
    d = current;
    const first = await current.start(false);
    const { buyer, events, subscriptionId } = await purchase(current);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    // What the webhook had stored when the process died: the rows, and no job for any of them.
    for (const event of events) {
      await query(
        current.databaseUrl,
        `INSERT INTO stripe_events (id, type, stripe_created_at, livemode, payload, source)
         VALUES ($1, $2, to_timestamp($3), $4, $5::jsonb, 'webhook')`,
        [event.id, event.type, event.created, event.livemode, JSON.stringify(event)],
      );
    }
    const ids = events.map((event) => event.id);
    const stored = await storedEvents(current.databaseUrl, ids);
    expect(stored.every((row) => row.enqueued_at === null && row.processed_at === null)).toBe(true);

    await current.start(true);
    await expectAppliedOnce(current, buyer, events, subscriptionId);
  }, 180_000);
});
