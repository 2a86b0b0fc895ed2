// Sign-in as production runs it: the app with its queue workers and outbox relay, rate limits out
// of reach, on the embedded PostgreSQL and (BENCH_PG_URL, else DATABASE_URL) on a fresh database
// of another server. Per database: logins/s by BENCH_SIGNIN_CLIENTS clients against the argon2id
// limit of a process of the same kind, rotating refreshes/s, the SQL statements each one costs
// (counted inside the app by bench/count-pg-statements.mjs, the async work it causes included)
// and the CPU of the app, PostgreSQL and the load generator.
// `node bench/run.mjs signin` alone (after `npm run build`); part of `npm run bench`.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/free-port.mjs';
import { URL } from 'node:url';
import autocannon from 'autocannon';
import { benchDatabase, freshDatabase } from './database.mjs';
import { cpuSeconds, cpuUsed, postgresPids } from './payments.mjs';
import { serverArgs, startServer } from './server-process.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CLIENTS = Number(process.env.BENCH_SIGNIN_CLIENTS ?? 8);
const REFRESH_CLIENTS = Number(process.env.BENCH_SIGNIN_REFRESH_CLIENTS ?? 50);
const ARGON2_IN_FLIGHT = Number(process.env.BENCH_SIGNIN_ARGON2_IN_FLIGHT ?? 16);
/** After a run, time for the relay and workers to finish what it caused. */
const SETTLE_SECONDS = 2;
const ACCOUNTS = 50;
const PASSWORD = 'Bench-Pass-2026!';
const COUNTER = path.join(import.meta.dirname, 'count-pg-statements.mjs');

const json = { 'content-type': 'application/json' };

async function call(base, route, body) {
  const response = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${route}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

/**
 * The argon2id limit: the app's own PasswordHasher verifying flat out, `ARGON2_IN_FLIGHT` at a
 * time, in a process started as the app is (same thread pool size). `{ rps, cores, threadPool }`.
 */
export function argon2Limit({
  seconds = DURATION,
  concurrency = ARGON2_IN_FLIGHT,
  extraEnv = {},
} = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, serverArgs('argon2-raw'), {
      env: {
        ...process.env,
        ...extraEnv,
        BENCH_CONNECTIONS: String(concurrency),
        BENCH_DURATION: String(seconds),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`argon2-raw exited ${code}`)),
    );
  });
}

/** The mean of two argon2id limit runs, each one's rate kept in `rpsEach`. */
function meanLimit(first, second) {
  return {
    ...first,
    rps: (first.rps + second.rps) / 2,
    cores: (first.cores + second.cores) / 2,
    rpsEach: [first.rps, second.rps],
  };
}

/** Statements the app has sent so far (bench/count-pg-statements.mjs in its process). */
async function statements(port) {
  const response = await fetch(`http://127.0.0.1:${port}/`);
  return response.json();
}

/**
 * The PostgreSQL processes whose CPU is the bench's: on the embedded server all of them (it is
 * the bench's alone), on another server the backends of the bench's database (the machine's
 * server may be busy with someone else's databases).
 */
async function benchPostgresPids(client, wholeServer) {
  if (wholeServer) {
    return postgresPids(client);
  }
  const { rows } = await client.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  return rows.map((row) => String(row.pid)).filter((pid) => cpuSeconds(pid) > 0);
}

/** Thread names of the app as the kernel shows them, and the part of its CPU each stands for. */
const APP_THREADS = { MainThread: 'event loop', 'libuv-worker': 'hashing', V8Worker: 'GC' };

/**
 * CPU seconds of the app's threads by part (APP_THREADS), from /proc/<pid>/task. Node 20 names
 * every thread "node": there the main thread (tid = pid) is the event loop and the rest is
 * "other".
 */
function appThreadSeconds(appPid) {
  const byPart = { 'event loop': 0, hashing: 0, GC: 0, other: 0 };
  for (const tid of readdirSync(`/proc/${appPid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${appPid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const part = APP_THREADS[name] ?? (tid === String(appPid) ? 'event loop' : 'other');
      byPart[part] += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return byPart;
}

async function cpuSnapshot(appPid, client, wholeServer) {
  const pids = await benchPostgresPids(client, wholeServer);
  const postgres = new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
  return {
    app: cpuSeconds(appPid),
    appThreads: appThreadSeconds(appPid),
    bench: cpuSeconds(process.pid),
    postgres,
  };
}

/**
 * One measured run: the idle statement rate over a quiet window as long as the run and its
 * settling, then the run (CPU sampled around it), then the settling; statements per request =
 * (the count over run + settling - the idle rate times that time) / requests.
 */
async function measure({ app, client, wholeServer, countPort }, options) {
  const window = DURATION + SETTLE_SECONDS;
  const idleStart = await statements(countPort);
  await sleep(window * 1000);
  const idleEnd = await statements(countPort);
  const idlePerSecond = (idleEnd.total - idleStart.total) / window;

  const cpuBefore = await cpuSnapshot(app.pid, client, wholeServer);
  const started = performance.now();
  const result = await autocannon({ duration: DURATION, ...options });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await cpuSnapshot(app.pid, client, wholeServer);
  const unexpected = result.non2xx + result.errors + result.timeouts;
  if (unexpected > 0) {
    throw new Error(
      `${options.requests[0].path}: ${unexpected} failed (non-2xx, errors or timeouts): ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  await sleep(SETTLE_SECONDS * 1000);
  const end = await statements(countPort);
  const measuredSeconds = (performance.now() - started) / 1000;
  const requests = result['2xx'];
  const idle = idlePerSecond * measuredSeconds;
  const byKind = {};
  for (const [kind, count] of Object.entries(end.byKind)) {
    const idleShare = (idleEnd.byKind[kind] ?? 0) - (idleStart.byKind[kind] ?? 0);
    const perRequest =
      (count - (idleEnd.byKind[kind] ?? 0) - (idleShare / window) * measuredSeconds) / requests;
    if (Math.abs(perRequest) >= 0.005) {
      byKind[kind] = round(perRequest, 2);
    }
  }
  const used = cpuUsed(cpuBefore, cpuAfter);
  const threadMs = Object.fromEntries(
    Object.entries(cpuAfter.appThreads).map(([part, seconds]) => [
      part,
      round(((seconds - cpuBefore.appThreads[part]) * 1000) / result['2xx'], 2),
    ]),
  );
  const cpu = Object.fromEntries(
    Object.entries(used).map(([who, secondsUsed]) => [
      who,
      {
        cores: round(secondsUsed / seconds, 2),
        msPerRequest: round((secondsUsed * 1000) / requests, 2),
      },
    ]),
  );
  return {
    perSecond: round(requests / seconds, 1),
    requests,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statements: round((end.total - idleEnd.total - idle) / requests, 2),
    byKind,
    idleStatementsPerSecond: round(idlePerSecond, 1),
    cpu,
    appThreadMs: threadMs,
  };
}

const round = (value, digits) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The runs on one database: `{ label, version, argon2idLimit, appThreads, login, refresh }`. */
async function benchOn(label, databaseUrl, wholeServer) {
  const { default: pg } = await import('pg');
  const keyDir = await mkdtemp(path.join(tmpdir(), 'dreamseed-bench-signin-'));
  const countPort = await freePort();
  const app = await startServer(
    'app-workers',
    {
      BENCH_DATABASE_URL: databaseUrl,
      BENCH_PG_COUNT_PORT: String(countPort),
      JWT_PRIVATE_KEY_FILE: path.join(keyDir, 'signing-key.pem'),
      MAIL_OUTBOX_DIR: path.join(keyDir, 'mail'),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
    { nodeFlags: ['--import', COUNTER] },
  );
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const {
      rows: [{ server_version: version }],
    } = await client.query('SHOW server_version');
    const runId = Date.now();
    const emails = Array.from({ length: ACCOUNTS }, (_, i) => `signin-${runId}-${i}@bench.test`);
    for (const email of emails) {
      await call(app.base, '/api/v1/auth/register', {
        email,
        password: PASSWORD,
        full_name: 'Bench Person',
      });
    }
    await client.query(`UPDATE users SET email_verified_at = now() WHERE email LIKE 'signin-%'`);
    // Measured on both sides of the logins it is compared with: this machine's speed drifts
    // by up to a fifth within minutes.
    const limitBefore = await argon2Limit();
    const context = { app, client, wholeServer, countPort };

    let who = 0;
    const loginBodies = emails.map((email) => JSON.stringify({ email, password: PASSWORD }));
    const login = {
      url: app.base,
      connections: CLIENTS,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/auth/login',
          headers: json,
          setupRequest: (req) => ({ ...req, body: loginBodies[who++ % ACCOUNTS] }),
        },
      ],
    };
    await autocannon({ ...login, duration: WARMUP });
    await sleep(SETTLE_SECONDS * 1000);
    const loginRun = await measure(context, login);
    const limit = meanLimit(limitBefore, await argon2Limit());

    // Every session's refresh token is used by one request at a time, and rotates.
    const tokens = [];
    for (const email of emails) {
      tokens.push(
        (await call(app.base, '/api/v1/auth/login', { email, password: PASSWORD })).refresh_token,
      );
    }
    await sleep(SETTLE_SECONDS * 1000);
    const free = tokens.map((_, slot) => slot);
    const refreshRun = await measure(context, {
      url: app.base,
      connections: Math.min(REFRESH_CLIENTS, ACCOUNTS),
      requests: [
        {
          method: 'POST',
          path: '/api/v1/auth/refresh',
          headers: json,
          setupRequest: (req, slotOf) => {
            slotOf.slot = free.shift();
            return { ...req, body: JSON.stringify({ refresh_token: tokens[slotOf.slot] }) };
          },
          onResponse: (status, body, slotOf) => {
            if (status === 200) {
              tokens[slotOf.slot] = JSON.parse(body).refresh_token;
            }
            free.push(slotOf.slot);
          },
        },
      ],
    });
    return {
      label,
      version,
      argon2idLimit: limit,
      appThreads: readdirSync(`/proc/${app.pid}/task`).length,
      login: loginRun,
      refresh: refreshRun,
    };
  } finally {
    await client.end().catch(() => undefined);
    await app.stop();
    await rm(keyDir, { recursive: true, force: true });
  }
}

/**
 * Login as a share of the argon2id limit in CPU terms, which the load of other processes moves
 * less: argon2id CPU per verification / CPU per login of the app, PostgreSQL and load generator
 * together (all on the same cores).
 */
function cpuShareOfLimit(run) {
  const perVerification = (run.argon2idLimit.cores * 1000) / run.argon2idLimit.rps;
  const { app, postgres, bench } = run.login.cpu;
  return perVerification / (app.msPerRequest + postgres.msPerRequest + bench.msPerRequest);
}

/** Node 20 does not name its threads: hashing and GC are then one "other threads" figure. */
const threadsLabel = (runs) =>
  runs.some((run) => run.login.appThreadMs.hashing > 0)
    ? '    event loop / hashing / GC ms'
    : '    event loop / other threads ms';

function table(runs) {
  const width = 34;
  const cell = (value) => String(value).padStart(22);
  const line = (name, pick) =>
    `${name.padEnd(width)}${runs.map((run) => cell(pick(run))).join('')}`;
  const cpu = (phase, who) => (run) =>
    `${run[phase].cpu[who].cores.toFixed(2)} (${run[phase].cpu[who].msPerRequest.toFixed(2)} ms)`;
  const threads = (phase) => (run) => {
    const ms = run[phase].appThreadMs;
    const parts =
      ms.hashing + ms.GC > 0 ? [ms['event loop'], ms.hashing, ms.GC] : [ms['event loop'], ms.other];
    return parts.map((value) => value.toFixed(2)).join(' / ');
  };
  const kinds = (phase) => (run) =>
    Object.entries(run[phase].byKind)
      .sort(([, a], [, b]) => b - a)
      .map(([kind, count]) => `${kind} ${count}`)
      .join(', ');
  return [
    `Node ${process.version}, ${availableParallelism()} CPUs, UV_THREADPOOL_SIZE ${runs[0].argon2idLimit.threadPool}, load average ${loadavg()[0].toFixed(1)} at the end`,
    '',
    line('', (run) => run.label),
    line('PostgreSQL', (run) => run.version.split(' ')[0]),
    line(
      'threads: app, argon2id process',
      (run) => `${run.appThreads}, ${run.argon2idLimit.threads}`,
    ),
    line(`argon2id limit/s (${ARGON2_IN_FLIGHT} in flight)`, (run) =>
      run.argon2idLimit.rps.toFixed(1),
    ),
    line('  before / after the logins', (run) =>
      run.argon2idLimit.rpsEach.map((rps) => rps.toFixed(1)).join(' / '),
    ),
    line(
      '  CPU cores (ms/verification)',
      (run) =>
        `${run.argon2idLimit.cores.toFixed(2)} (${((run.argon2idLimit.cores * 1000) / run.argon2idLimit.rps).toFixed(2)} ms)`,
    ),
    line(`login/s (${CLIENTS} clients)`, (run) => run.login.perSecond.toFixed(1)),
    line('login / argon2id limit (>= 0.85)', (run) =>
      (run.login.perSecond / run.argon2idLimit.rps).toFixed(2),
    ),
    line('  the same in CPU per request', (run) => cpuShareOfLimit(run).toFixed(2)),
    line('login p50 / p99 ms', (run) => `${run.login.p50} / ${run.login.p99}`),
    line('statements per login', (run) => run.login.statements.toFixed(2)),
    line('  CPU cores (ms/login): app', cpu('login', 'app')),
    line(threadsLabel(runs), threads('login')),
    line('  PostgreSQL', cpu('login', 'postgres')),
    line('  load generator', cpu('login', 'bench')),
    line(`refresh/s (${Math.min(REFRESH_CLIENTS, ACCOUNTS)} clients, >= 900)`, (run) =>
      run.refresh.perSecond.toFixed(1),
    ),
    line('refresh p50 / p99 ms', (run) => `${run.refresh.p50} / ${run.refresh.p99}`),
    line('statements per refresh', (run) => run.refresh.statements.toFixed(2)),
    line('  CPU cores (ms/refresh): app', cpu('refresh', 'app')),
    line(threadsLabel(runs), threads('refresh')),
    line('  PostgreSQL', cpu('refresh', 'postgres')),
    line('  load generator', cpu('refresh', 'bench')),
    line(
      'idle statements/s (login, refresh)',
      (run) => `${run.login.idleStatementsPerSecond} / ${run.refresh.idleStatementsPerSecond}`,
    ),
    ...runs.flatMap((run) => [
      `${run.label}, statements per login by kind: ${kinds('login')(run)}`,
      `${run.label}, statements per refresh by kind: ${kinds('refresh')(run)}`,
    ]),
  ];
}

/**
 * The whole sign-in bench: on the embedded PostgreSQL, then on BENCH_PG_URL's (or DATABASE_URL's)
 * server when set; each with its own argon2id limit. Resolves the printable lines, the last one JSON.
 */
export async function runSigninBench() {
  const runs = [];
  const embedded = await benchDatabase('dreamseed-bench-signin', { embedded: true });
  try {
    runs.push(await benchOn('embedded', embedded.url, true));
  } finally {
    await embedded.stop();
  }
  const serverUrl = process.env.BENCH_PG_URL ?? process.env.DATABASE_URL;
  if (serverUrl) {
    const fresh = await freshDatabase(serverUrl, 'dreamseed-bench-signin');
    try {
      runs.push(await benchOn(new URL(serverUrl).host, fresh.url, false));
    } finally {
      await fresh.stop();
    }
  }
  return [
    ...table(runs),
    JSON.stringify({
      bench: 'signin',
      node: process.version,
      runs: runs.map((run) => ({ ...run, loginShareOfLimitByCpu: round(cpuShareOfLimit(run), 2) })),
    }),
  ];
}
