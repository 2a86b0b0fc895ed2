// Usage at scale: BENCH_USAGE_EVENTS (default 1,000,000) events across 50 tenants, sent
// through POST /mt/tenant/{id}/usage-events in 1,000-event batches (a few in flight), then the
// dashboards of the largest tenant (a fifth of all events) under autocannon.
// `npm run bench` runs it last; alone: `npm run build && node bench/usage.mjs`
// (DATABASE_URL: an empty database on your server; otherwise an embedded one).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { benchDatabase } from './database.mjs';
import { serverArgs } from './server-process.mjs';

const EVENTS = Number(process.env.BENCH_USAGE_EVENTS ?? 1_000_000);
const TENANTS = Number(process.env.BENCH_USAGE_TENANTS ?? 50);
const BATCH = 1000;
const IN_FLIGHT = Number(process.env.BENCH_USAGE_IN_FLIGHT ?? 4);
const CONNECTIONS = Number(process.env.BENCH_USAGE_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const DAYS = 90;
const MARKET_KEY = 'bench-market-key-0123456789abcdef';
const MODELS = [
  ['gpt-4o-mini', 0.45],
  ['gpt-4o', 0.2],
  ['gpt-3.5-turbo', 0.15],
  ['claude-3-5-sonnet', 0.12],
  ['gpt-4', 0.08],
];
const KINDS = ['chat', 'chat', 'chat', 'rag', 'quiz', 'completion'];
// UTC hours weighted like a Korean school day (UTC+9): busy 00–09 UTC, quiet at night.
const HOUR_WEIGHTS = Array.from({ length: 24 }, (_, h) => (h <= 9 ? 6 : h >= 22 ? 3 : 1));

function pick(weighted) {
  const total = weighted.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = Math.random() * total;
  for (const [value, weight] of weighted) {
    draw -= weight;
    if (draw <= 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

const int = (min, max) => min + Math.floor(Math.random() * (max - min + 1));

function startApp(databaseUrl, keyFile) {
  const child = spawn(process.execPath, serverArgs('app'), {
    env: {
      ...process.env,
      BENCH_DATABASE_URL: databaseUrl,
      JWT_PRIVATE_KEY_FILE: keyFile,
      MARKET_API_KEYS: MARKET_KEY,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      const match = /READY (\d+)/.exec(stderr);
      if (match) {
        resolve({
          base: `http://127.0.0.1:${match[1]}`,
          stop: () =>
            new Promise((done) => {
              child.once('exit', done);
              child.kill('SIGKILL');
            }),
        });
      }
    });
    child.on('exit', (code) => reject(new Error(`app exited with ${code}: ${stderr}`)));
  });
}

/** 50 tenants: the largest with 2,000 members, the others 100 each. */
async function seedTenants(client) {
  const tenants = [];
  for (let i = 0; i < TENANTS; i += 1) {
    const id = `usage_school_${String(i).padStart(2, '0')}`;
    const members = i === 0 ? 2000 : 100;
    await client.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [id, `School ${i}`]);
    const { rows } = await client.query(
      `WITH created AS (
         INSERT INTO users (email, full_name, email_verified_at, created_at)
         SELECT $1 || '-' || g || '@bench.test', 'Member ' || g, now(),
                now() - (g % 120) * interval '1 day'
         FROM generate_series(1, $2) g
         RETURNING id, created_at
       )
       INSERT INTO memberships (user_id, tenant_id, role, joined_at)
       SELECT id, $1, 'student', created_at FROM created RETURNING user_id`,
      [id, members],
    );
    tenants.push({ id, users: rows.map((row) => row.user_id) });
  }
  return tenants;
}

/** Which tenant each batch is for: every fifth the largest, the others in turn. */
function batchPlan(tenants) {
  let other = 0;
  return Array.from({ length: Math.ceil(EVENTS / BATCH) }, (_, i) =>
    i % 5 === 0 ? tenants[0] : tenants[1 + (other++ % (tenants.length - 1))],
  );
}

/** A member's conversations: a few calls each, on one day, one model. */
function makeBatch(tenant, now) {
  const events = [];
  while (events.length < BATCH) {
    const user = Math.random() < 0.03 ? null : tenant.users[int(0, tenant.users.length - 1)];
    const dayStart = now - int(0, DAYS - 1) * 86_400_000;
    const hour = pick(HOUR_WEIGHTS.map((weight, h) => [h, weight]));
    let at = Math.floor(dayStart / 86_400_000) * 86_400_000 + hour * 3_600_000 + int(0, 3_000_000);
    if (at > now) at -= 86_400_000;
    const session = randomUUID();
    const model = pick(MODELS);
    const kind = KINDS[int(0, KINDS.length - 1)];
    for (let call = int(1, 8); call > 0 && events.length < BATCH; call -= 1) {
      events.push({
        event_id: randomUUID(),
        user_id: user,
        session_id: session,
        kind,
        model,
        input_tokens: int(50, 3000),
        output_tokens: int(20, 1200),
        // Later calls of a conversation that started just before `now` stay in the past.
        occurred_at: new Date(Math.min(at, now)).toISOString(),
      });
      at += int(10_000, 120_000);
    }
  }
  return JSON.stringify({ events });
}

async function ingestAll(base, tenants) {
  const plan = batchPlan(tenants);
  const now = Date.now() - 60_000;
  let next = 0;
  let accepted = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < plan.length) {
        const tenant = plan[next++];
        const body = makeBatch(tenant, now);
        bytes += body.length;
        const response = await fetch(`${base}/mt/tenant/${tenant.id}/usage-events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-market-api-key': MARKET_KEY },
          body,
        });
        const result = await response.json();
        if (response.status !== 200) {
          throw new Error(`ingest: ${response.status} ${JSON.stringify(result)}`);
        }
        accepted += result.accepted;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { accepted, seconds, rate: accepted / seconds, batchKb: bytes / plan.length / 1024 };
}

async function load(url) {
  const headers = { 'x-market-api-key': MARKET_KEY };
  await autocannon({ url, headers, connections: CONNECTIONS, duration: WARMUP });
  const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION });
  if (result.non2xx + result.errors + result.timeouts > 0) {
    throw new Error(`${url}: failed responses ${JSON.stringify(result.statusCodeStats)}`);
  }
  const { p50, p90, p97_5: p975, p99 } = result.latency;
  // autocannon reports p90 and p97.5; p95 is interpolated between them.
  const p95 = Math.round((p90 + (5 / 7.5) * (p975 - p90)) * 100) / 100;
  return { rps: result.requests.average, p50, p95, p99 };
}

/** Fills the database at `databaseUrl`, measures, and returns printable lines. */
export async function runUsageBench(databaseUrl) {
  const { default: pg } = await import('pg');
  const keyDir = await mkdtemp(path.join(tmpdir(), 'dreamseed-usage-key-'));
  const app = await startApp(databaseUrl, path.join(keyDir, 'signing-key.pem'));
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const tenants = await seedTenants(client);
    const ingestion = await ingestAll(app.base, tenants);
    // What autovacuum does soon after a bulk load: statistics and the visibility map.
    for (const table of [
      'usage_events',
      'usage_model_daily',
      'usage_user_days',
      'usage_hourly',
      'usage_sessions',
    ]) {
      await client.query(`VACUUM ANALYZE ${table}`);
    }
    const { rows: sizes } = await client.query(
      `SELECT (SELECT count(*) FROM usage_user_days WHERE tenant_id = $1) AS daily,
              (SELECT count(*) FROM usage_sessions WHERE tenant_id = $1) AS sessions,
              (SELECT count(*) FROM usage_events WHERE tenant_id = $1) AS events`,
      [tenants[0].id],
    );
    const largest = `${app.base}/mt/tenant/${tenants[0].id}`;
    const routes = [
      'stats?period=30d',
      'stats/costs?period=30d',
      'stats/usage-patterns?period=30d',
      'stats?period=90d',
      'stats/costs?period=90d',
      'stats/top-users?period=30d',
    ];
    const lines = [
      `usage: ${ingestion.accepted} events in ${ingestion.seconds.toFixed(1)} s = ${ingestion.rate.toFixed(0)} events/s (1,000-event batches of ${ingestion.batchKb.toFixed(0)} kB, ${IN_FLIGHT} in flight; target >= 20,000)`,
      `largest tenant: ${sizes[0].events} events, ${sizes[0].daily} usage_user_days rows, ${sizes[0].sessions} sessions; autocannon -c ${CONNECTIONS} -d ${DURATION}s (target p95 < 300 ms)`,
    ];
    for (const route of routes) {
      const r = await load(`${largest}/${route}`);
      lines.push(
        `GET /mt/tenant/{largest}/${route.padEnd(32)} ${r.rps.toFixed(0).padStart(6)} req/s   p50 ${String(r.p50).padStart(4)} ms   p95 ${String(r.p95).padStart(6)} ms   p99 ${String(r.p99).padStart(4)} ms`,
      );
    }
    return lines;
  } finally {
    await client.end();
    await app.stop();
    await rm(keyDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const db = await benchDatabase('dreamseed-usage-bench');
  try {
    console.log((await runUsageBench(db.url)).join('\n'));
  } finally {
    await db.stop();
  }
}
