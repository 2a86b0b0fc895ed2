// Payments under load: the Stripe webhook acknowledging signed events (each stored, then
// processed by the queue worker in the same process, as in production) and the rate at which
// the worker drains them; and what the entitlement check adds to GET /api/v1/users/me.
// A fake Stripe (test/support/fake-stripe, built into .test-dist) runs in this process.
// `npm run bench` runs it; alone: `npm run build && nest build -p tsconfig.test-build.json &&
// node bench/payments.mjs` (DATABASE_URL: an empty database on your server; else embedded).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { benchDatabase } from './database.mjs';
import { startServer } from './server-process.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const WEBHOOK_CONNECTIONS = Number(process.env.BENCH_WEBHOOK_CONNECTIONS ?? 20);
const ME_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 300);
const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 40_000);
/** Rounds of the users/me comparison, alternating ABBA between the two modes. */
const ME_ROUNDS = Number(process.env.BENCH_ME_ROUNDS ?? 8);
const SECRET = 'whsec_bench_secret';
const KEY = 'sk_test_bench';
const PASSWORD = 'Bench-Pass-2026!';
/** BENCH_QUEUE_WORKERS=false: the webhook alone, nothing drained (to see what acknowledging costs). */
const WORKERS = process.env.BENCH_QUEUE_WORKERS !== 'false';

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) of a process, from /proc. */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * The processes of the bench's own PostgreSQL server: its backends and background processes,
 * and their parent, the postmaster (on a shared machine, other servers' work is not ours).
 * None when the server runs on another machine.
 */
export async function postgresPids(client) {
  const { rows } = await client.query(`SELECT pid FROM pg_stat_activity`);
  const isPostgres = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
    } catch {
      return false;
    }
  };
  const pids = new Set(rows.map((row) => String(row.pid)).filter(isPostgres));
  for (const pid of [...pids]) {
    try {
      const parent = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1];
      if (isPostgres(parent)) {
        pids.add(parent);
      }
    } catch {
      // Exited meanwhile.
    }
  }
  return [...pids];
}

/**
 * CPU seconds so far of the app, of this process (load generator and fake Stripe), and of each
 * of the PostgreSQL processes `postgresPids` found (a backend that exits between two snapshots
 * takes its share with it).
 */
export async function cpuSnapshot(appPid, client) {
  const postgres = new Map((await postgresPids(client)).map((pid) => [pid, cpuSeconds(pid)]));
  return { app: cpuSeconds(appPid), bench: cpuSeconds(process.pid), postgres };
}

/** CPU seconds used between two snapshots: `{ app, postgres, bench }`. */
export function cpuUsed(before, after) {
  let postgres = 0;
  for (const [pid, used] of after.postgres) {
    postgres += used - (before.postgres.get(pid) ?? 0);
  }
  return { app: after.app - before.app, postgres, bench: after.bench - before.bench };
}

export function cpuShare(before, after, seconds, benchName = 'load generator + fake Stripe') {
  const cores = (used) => (used / seconds).toFixed(2);
  const used = cpuUsed(before, after);
  return `CPU cores used: app ${cores(used.app)}, PostgreSQL ${cores(used.postgres)}, ${benchName} ${cores(used.bench)}`;
}

/** Resident memory of a process in kB, from /proc. */
export function rssKb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/**
 * What one entitlement check costs on a warm cache (the state of every request of a signed-in
 * subscriber), measured in this process on the app's own Entitlements with its cache.
 */
async function entitlementCheckNanoseconds() {
  const { Entitlements } =
    await import('../dist/src/modules/payments/entitlements/entitlements.service.js');
  const rows = [
    {
      subscription_id: 's',
      plan_id: 'p',
      plan_name: 'Bench',
      status: 'active',
      quantity: 1,
      seat_based: false,
      features: { api_requests_per_hour: 1000 },
      past_due_since: null,
      cancel_at_period_end: false,
      current_period_end: new Date(),
    },
  ];
  const entitlements = new Entitlements(
    { entitlingSubscriptions: () => Promise.resolve(rows) },
    { now: () => new Date(), nowMs: () => Date.now() },
    { get: () => 7 },
    { on: () => undefined },
  );
  const calls = 500_000;
  let best = Infinity;
  for (let round = 0; round < 3; round += 1) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i += 1) {
      await entitlements.requestBudgetPerHour(`user-${i % 50}`, i % 2 === 0 ? 'school' : null);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / calls);
  }
  return best;
}

async function load(options) {
  const result = await autocannon({ duration: DURATION, ...options });
  const unexpected = result.non2xx + result.errors + result.timeouts;
  if (unexpected > 0) {
    throw new Error(
      `${options.url}: ${unexpected} failed: ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
  };
}

async function post(base, route, body, token) {
  const response = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${route}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

/** Registered, verified accounts, each with a live subscription to a plan with its own budget. */
async function seedSubscribers(client, app, stripe) {
  const sdk = stripe.client();
  const product = await sdk.products.create({ name: 'Bench Premium' });
  const price = await sdk.prices.create({
    product: product.id,
    unit_amount: 990,
    currency: 'usd',
    recurring: { interval: 'month' },
  });
  const {
    rows: [plan],
  } = await client.query(
    `INSERT INTO subscription_plans (name, unit_amount, currency, interval, features, audience,
       stripe_product_id, stripe_price_id)
     VALUES ('Bench Premium', 990, 'usd', 'month', '{"api_requests_per_hour": 1000000000}',
       'individual', $1, $2) RETURNING id`,
    [product.id, price.id],
  );
  await client.query(
    `INSERT INTO plan_prices (stripe_price_id, plan_id, unit_amount, currency, interval)
     VALUES ($1, $2, 990, 'usd', 'month')`,
    [price.id, plan.id],
  );
  const emails = Array.from(
    { length: SUBSCRIBERS },
    (_, i) => `payer-${i}-${Date.now()}@bench.test`,
  );
  for (const email of emails) {
    await post(app.base, '/api/v1/auth/register', {
      email,
      password: PASSWORD,
      full_name: 'Bench Payer',
    });
  }
  await client.query(`UPDATE users SET email_verified_at = now() WHERE email LIKE 'payer-%'`);
  const { rows: users } = await client.query(
    `SELECT id, email FROM users WHERE email LIKE 'payer-%'`,
  );
  const checkoutEvents = [];
  for (const user of users) {
    const metadata = { payer_type: 'user', user_id: user.id, plan_id: plan.id };
    const customer = await sdk.customers.create({
      email: user.email,
      metadata: { user_id: user.id },
    });
    const session = await sdk.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 1 }],
      metadata,
      subscription_data: { metadata },
      success_url: 'http://localhost:5173/billing/success',
      cancel_url: 'http://localhost:5173/billing/cancel',
    });
    checkoutEvents.push(...stripe.completeCheckout(session.id));
  }
  return { users, checkoutEvents };
}

/** Transactions committed in the bench database so far (each statement outside one counts). */
async function transactionsCommitted(client) {
  const { rows } = await client.query(
    `SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()`,
  );
  return Number(rows[0].n);
}

async function unprocessed(client) {
  const { rows } = await client.query(
    `SELECT count(*) FILTER (WHERE processed_at IS NULL)::int AS waiting,
            count(*)::int AS stored,
            count(*) FILTER (WHERE failed_at IS NOT NULL)::int AS failed
     FROM stripe_events`,
  );
  return rows[0];
}

/**
 * users/me with the entitlement check and with it skipped, each round in a fresh process, in
 * ABBA order over `ME_ROUNDS` rounds, so that drift (caches, autovacuum) falls on both modes.
 */
async function compareUsersMe(tokens, client, env) {
  const me = () => {
    let i = 0;
    return [
      {
        method: 'GET',
        path: '/api/v1/users/me',
        setupRequest: (request) => ({
          ...request,
          headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` },
        }),
      },
    ];
  };
  const modes = ['app-payments', 'app-payments-flat'];
  const rounds = { 'app-payments': [], 'app-payments-flat': [] };
  for (let round = 0; round < ME_ROUNDS; round += 1) {
    const mode = modes[[0, 1, 1, 0][round % 4]];
    const app = await startServer(mode, env);
    try {
      await load({ url: app.base, connections: ME_CONNECTIONS, duration: WARMUP, requests: me() });
      const cpu = cpuSeconds(app.pid);
      const commits = await transactionsCommitted(client);
      const result = await load({ url: app.base, connections: ME_CONNECTIONS, requests: me() });
      result.appCpuPerRequestNs = ((cpuSeconds(app.pid) - cpu) * 1e9) / result.total;
      result.commitsPerRequest = ((await transactionsCommitted(client)) - commits) / result.total;
      rounds[mode].push(result);
    } finally {
      await app.stop();
    }
  }
  const mean = (list, key) => list.reduce((sum, r) => sum + r[key], 0) / list.length;
  const summary = (mode) => {
    const list = rounds[mode];
    return {
      rps: mean(list, 'rps'),
      cpuNs: mean(list, 'appCpuPerRequestNs'),
      text: `${mean(list, 'rps').toFixed(0).padStart(6)} req/s (rounds: ${list.map((r) => `${r.rps.toFixed(0)} at ${(r.appCpuPerRequestNs / 1000).toFixed(0)} µs`).join(', ')}; app CPU ${(mean(list, 'appCpuPerRequestNs') / 1000).toFixed(0)} µs and ${mean(list, 'commitsPerRequest').toFixed(4)} commits per request)`,
    };
  };
  const withCheck = summary('app-payments');
  const without = summary('app-payments-flat');
  const checkNs = await entitlementCheckNanoseconds();
  return [
    `users/me, subscriber, entitlement check       ${withCheck.text}`,
    `users/me, subscriber, check skipped           ${without.text}`,
    `  ratio with/without: throughput ${(withCheck.rps / without.rps).toFixed(3)}, app CPU per request ${(withCheck.cpuNs / without.cpuNs).toFixed(3)}`,
    `entitlement check on a warm cache: ${checkNs.toFixed(0)} ns; app CPU per users/me request: ${(withCheck.cpuNs / 1000).toFixed(0)} µs -> the check is ${((checkNs / withCheck.cpuNs) * 100).toFixed(2)}% of it`,
  ];
}

export async function runPaymentsBench(databaseUrl) {
  const { FakeStripe } = await import(
    pathToFileURL(
      path.resolve(import.meta.dirname, '../.test-dist/test/support/fake-stripe/index.js'),
    ).href
  );
  const { default: pg } = await import('pg');
  const stripe = await FakeStripe.start({ secretKey: KEY });
  const keyDir = await mkdtemp(path.join(tmpdir(), 'dreamseed-bench-payments-'));
  const env = {
    BENCH_DATABASE_URL: databaseUrl,
    JWT_PRIVATE_KEY_FILE: path.join(keyDir, 'signing-key.pem'),
    STRIPE_SECRET_KEY: KEY,
    STRIPE_WEBHOOK_SECRETS: SECRET,
    STRIPE_API_HOST: stripe.host,
    STRIPE_API_PORT: String(stripe.port),
    STRIPE_API_PROTOCOL: 'http',
  };
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  const lines = [];
  let app = await startServer('app-payments', env);
  try {
    await client.connect();
    const { users, checkoutEvents } = await seedSubscribers(client, app, stripe);
    // The checkouts' own events first, so every subscriber is entitled before users/me runs.
    for (const event of checkoutEvents) {
      await stripe.deliver(event, { url: `${app.base}/api/v1/webhooks/stripe`, secret: SECRET });
    }
    while (WORKERS && (await unprocessed(client)).waiting > 0) {
      await sleep(200);
    }

    // users/me first, on a quiet database (the webhook phase leaves autovacuum work behind).
    const tokens = [];
    for (const user of users.slice(0, 50)) {
      const body = { email: user.email, password: PASSWORD };
      tokens.push((await post(app.base, '/api/v1/auth/login', body)).access_token);
    }
    await app.stop();
    lines.push(...(await compareUsersMe(tokens, client, env)));
    app = await startServer('app-payments', env);

    // Unique signed events (subscription updates: each makes the worker fetch and apply one).
    const subscriptions = checkoutEvents
      .filter((event) => event.type === 'customer.subscription.created')
      .map((event) => event.data.object);
    const deliveries = Array.from({ length: EVENTS }, (_, i) => {
      const event = stripe.event(
        'customer.subscription.updated',
        subscriptions[i % subscriptions.length],
      );
      const body = JSON.stringify(event);
      return { body, signature: stripe.signature(body, { secret: SECRET }) };
    });
    let next = 0;
    const webhook = {
      url: `${app.base}/api/v1/webhooks/stripe`,
      connections: WEBHOOK_CONNECTIONS,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            const delivery = deliveries[next++ % deliveries.length];
            return {
              ...request,
              path: '/api/v1/webhooks/stripe',
              headers: {
                'content-type': 'application/json',
                'stripe-signature': delivery.signature,
              },
              body: delivery.body,
            };
          },
        },
      ],
    };
    const before = await unprocessed(client);
    const cpuBefore = await cpuSnapshot(app.pid, client);
    const startedAt = Date.now();
    const ack = await load(webhook);
    const loadSeconds = (Date.now() - startedAt) / 1000;
    const cpuAfter = await cpuSnapshot(app.pid, client);
    const afterLoad = await unprocessed(client);
    const storedDuringLoad = afterLoad.stored - before.stored;
    const drainedDuringLoad = storedDuringLoad - (afterLoad.waiting - before.waiting);
    while (WORKERS && (await unprocessed(client)).waiting > 0) {
      await sleep(200);
    }
    const drainSeconds = (Date.now() - startedAt) / 1000;
    const final = await unprocessed(client);
    lines.push(
      `webhook POST /api/v1/webhooks/stripe (${WEBHOOK_CONNECTIONS} conn.)  ${ack.rps.toFixed(0).padStart(6)} events/s   p50 ${ack.p50} ms   p99 ${ack.p99} ms   (${storedDuringLoad} new events stored)`,
      `  ${cpuShare(cpuBefore, cpuAfter, loadSeconds)}`,
      `worker drain while loaded                     ${(drainedDuringLoad / loadSeconds).toFixed(0).padStart(6)} events/s processed during the load`,
      `worker drain, load start to queue empty       ${(storedDuringLoad / drainSeconds).toFixed(0).padStart(6)} events/s (${drainSeconds.toFixed(1)} s for ${storedDuringLoad}; failed: ${final.failed})`,
    );
  } finally {
    await app.stop();
    await client.end().catch(() => undefined);
    await stripe.close();
    await rm(keyDir, { recursive: true, force: true });
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const db = await benchDatabase('dreamseed-bench-payments');
  try {
    const lines = await runPaymentsBench(db.url);
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await db.stop();
  }
}
