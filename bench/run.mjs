// `npm run bench`: measures, in one run, the real app against bare Fastify on the same machine.
// Each server runs in its own process; autocannon runs in this one.
// `node bench/run.mjs licenses`: the licenses bench alone (bench/licenses.mjs); `lti`: the LTI
// launch bench alone (bench/lti.mjs); `signin`: the sign-in bench alone (bench/signin.mjs).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { benchDatabase } from './database.mjs';
import { runLicensesBench } from './licenses.mjs';
import { runLtiBench } from './lti.mjs';
import { rssKb, runPaymentsBench } from './payments.mjs';
import { serverArgs } from './server-process.mjs';
import { argon2Limit, runSigninBench } from './signin.mjs';
import { runUsageBench } from './usage.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

function startTarget(mode, env) {
  const child = spawn(process.execPath, serverArgs(mode), {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      const match = /READY (\d+)/.exec(stderr);
      if (match) {
        resolve({ port: Number(match[1]), pid: child.pid, stop: () => stopChild(child) });
      }
    });
    child.on('exit', (code) => reject(new Error(`${mode} exited with ${code}: ${stderr}`)));
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
}

async function load(url, { warmup = true, ...options } = {}) {
  if (warmup) {
    await autocannon({ url, connections: CONNECTIONS, duration: WARMUP, ...options });
  }
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    ...options,
  });
  const unexpected = result.non2xx + result.errors + result.timeouts;
  if (unexpected > 0) {
    throw new Error(
      `${url}: ${unexpected} failed responses (non-2xx, errors or timeouts): ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p95: result.latency.p97_5 !== undefined ? percentile(result, 95) : result.latency.p90,
    p99: result.latency.p99,
  };
}

// autocannon reports p90, p97.5 and p99; p95 is interpolated between p90 and p97.5.
function percentile(result, p) {
  const { p90, p97_5: p975 } = result.latency;
  return Math.round((p90 + ((p - 90) / 7.5) * (p975 - p90)) * 100) / 100;
}

function row(name, r) {
  return `${name.padEnd(46)} ${r.rps.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p95 ${String(r.p95).padStart(6)} ms   p99 ${String(r.p99).padStart(4)} ms`;
}

const ACCOUNTS = 50;
const AUDIT_ROWS = 100_000;
let auditExport;
const PASSWORD = 'Bench-Pass-2026!';
const json = (body) => ({ 'content-type': 'application/json', ...body });

async function call(base, path, init = {}) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: json(init.headers ?? {}),
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  }
  return body;
}

/** Registered, verified accounts and one signed-in session each. */
async function seedAccounts(base, databaseUrl) {
  const { default: pg } = await import('pg');
  const emails = Array.from({ length: ACCOUNTS }, (_, i) => `bench-${i}-${Date.now()}@bench.test`);
  for (const email of emails) {
    await call(base, '/api/v1/auth/register', {
      method: 'POST',
      body: { email, password: PASSWORD, full_name: 'Bench Person' },
    });
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  await client.query(`UPDATE users SET email_verified_at = now() WHERE email LIKE 'bench-%'`);
  await client.end();
  return emails;
}

const signIn = (base, email) =>
  call(base, '/api/v1/auth/login', { method: 'POST', body: { email, password: PASSWORD } });

const only = process.argv[2];
if (only !== undefined && !['licenses', 'lti', 'signin'].includes(only)) {
  throw new Error(
    `unknown bench ${only}: run all of them, or \`licenses\`, \`lti\` or \`signin\` alone`,
  );
}
if (only === 'signin') {
  console.log(`Sign-in\n${(await runSigninBench()).join('\n')}`);
  process.exit();
}
if (only === 'lti') {
  const ltiDb = await benchDatabase('dreamseed-bench-lti');
  try {
    console.log(`LTI\n${(await runLtiBench(ltiDb.url)).join('\n')}`);
  } finally {
    await ltiDb.stop();
  }
  process.exit();
}
if (only === 'licenses') {
  const licensesDb = await benchDatabase('dreamseed-bench-licenses');
  try {
    console.log(`Licenses\n${(await runLicensesBench(licensesDb.url)).join('\n')}`);
  } finally {
    await licensesDb.stop();
  }
  process.exit();
}

const db = await benchDatabase('dreamseed-bench');
const keyDir = await mkdtemp(path.join(tmpdir(), 'dreamseed-bench-key-'));
const env = {
  BENCH_DATABASE_URL: db.url,
  JWT_PRIVATE_KEY_FILE: path.join(keyDir, 'signing-key.pem'),
};
const results = {};
let usageLines;
let paymentLines;
let licenseLines;
let ltiLines;
let signinLines;
try {
  const body = JSON.stringify({ name: 'notebook', quantity: 3 });
  const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  for (const mode of ['bare', 'bare-with-headers', 'app', 'app-no-audit']) {
    const target = await startTarget(mode, env);
    const base = `http://127.0.0.1:${target.port}`;
    try {
      if (mode !== 'app-no-audit') {
        results[`${mode} GET /api/v1/status`] = await load(`${base}/api/v1/status`);
      }
      if (mode === 'bare') {
        results['bare GET /api/v1/status at 1,000 req/s'] = await load(`${base}/api/v1/status`, {
          overallRate: 1000,
          connections: 10,
        });
      }
      if (mode === 'app' || mode === 'app-no-audit') {
        results[`${mode} POST /api/v1/bench/items`] = await load(
          `${base}/api/v1/bench/items`,
          post,
        );
      }
      if (mode === 'app') {
        Object.assign(results, await accountScenarios(base));
        Object.assign(results, await auditScenarios(base, target.pid));
      }
    } finally {
      await target.stop();
    }
  }
  results['argon2id verify, raw (same process type)'] = await argon2Limit({
    concurrency: CONNECTIONS,
    extraEnv: env,
  });
  usageLines = await runUsageBench(db.url);
  paymentLines = await runPaymentsBench(db.url);
  licenseLines = await runLicensesBench(db.url);
  ltiLines = await runLtiBench(db.url);
  signinLines = await runSigninBench();
} finally {
  await db.stop();
  await rm(keyDir, { recursive: true, force: true });
}

/** The audit trail on a table of 100,000 rows of one school (plus noise from another). */
async function auditScenarios(base, pid) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => undefined);
  await client.connect();
  await client.query(
    `INSERT INTO tenants (id, name) VALUES ('bench_school', 'Bench'), ('other_school', 'Other')`,
  );
  await client.query(
    `INSERT INTO audit_logs (actor_type, actor_id, tenant_id, action, resource_type, resource_id,
                             outcome, status_code, ip, user_agent, metadata, created_at)
     SELECT 'user', md5(g::text), CASE WHEN g % 10 = 0 THEN 'other_school' ELSE 'bench_school' END,
            (ARRAY['auth.login', 'user.profile_updated', 'auth.refresh'])[1 + g % 3], 'user',
            md5(g::text), CASE WHEN g % 7 = 0 THEN 'failure' ELSE 'success' END, 200,
            '203.0.113.' || (g % 250), 'Mozilla/5.0 (bench)',
            jsonb_build_object('route', '/api/v1/users/me', 'n', g),
            now() - g * interval '1 second'
     FROM generate_series(1, $1) g`,
    [Math.round(AUDIT_ROWS / 0.9)],
  );
  await client.query(
    `WITH created AS (
       INSERT INTO users (email, full_name, password_hash, email_verified_at, last_login_at, created_at)
       SELECT 'member' || g || '@bench.test', 'Member ' || g, NULL, now(),
              CASE WHEN g % 4 = 0 THEN NULL ELSE now() - g * interval '1 minute' END,
              now() - g * interval '1 minute'
       FROM generate_series(1, $1) g
       RETURNING id, created_at
     )
     INSERT INTO memberships (user_id, tenant_id, role, joined_at)
     SELECT id, 'bench_school', (ARRAY['student', 'student', 'student', 'teacher'])[1 + (extract(epoch FROM created_at)::bigint % 4)], created_at
     FROM created`,
    [AUDIT_ROWS],
  );
  // What autovacuum does soon after a bulk load: statistics and the visibility map.
  for (const table of ['audit_logs', 'users', 'memberships']) {
    await client.query(`VACUUM ANALYZE ${table}`);
  }
  const email = `auditor-${Date.now()}@bench.test`;
  // Registration answers 202 without a body: the id comes from the database.
  await call(base, '/api/v1/auth/register', {
    method: 'POST',
    body: { email, password: PASSWORD, full_name: 'Bench Auditor' },
  });
  const {
    rows: [admin],
  } = await client.query(
    `UPDATE users SET email_verified_at = now() WHERE email = $1 RETURNING id`,
    [email],
  );
  await client.query(
    `INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, 'bench_school', 'admin')`,
    [admin.id],
  );
  await client.end();
  const token = (await signIn(base, email)).access_token;
  const headers = { authorization: `Bearer ${token}` };
  const out = {};
  out['app GET /api/v1/audit-logs (100k rows)'] = await load(`${base}/api/v1/audit-logs?limit=50`, {
    headers,
  });
  out['app GET /api/v1/audit-logs filtered (100k rows)'] = await load(
    `${base}/api/v1/audit-logs?limit=50&outcome=failure&action=auth.login&from=2020-01-01T00:00:00Z`,
    { headers },
  );

  out['app GET /api/v1/users (100k members)'] = await load(`${base}/api/v1/users?limit=20`, {
    headers,
  });
  // Saturated, the exact total (a count over 100k memberships) queues; at a steady rate it is the work.
  out['app GET /api/v1/users (100k members) at 100 req/s'] = await load(
    `${base}/api/v1/users?limit=20`,
    { headers, overallRate: 100, connections: 10 },
  );
  out['app GET /api/v1/users?role&q&sort=email (100k members)'] = await load(
    `${base}/api/v1/users?limit=20&role=teacher&q=member12&sort=email&order=asc`,
    { headers },
  );

  // The CSV export, downloaded while the server's resident memory is sampled: a tenth of the
  // table first, then all of it. Flat memory means the same peak for both.
  const tenth = new Date(Date.now() - (AUDIT_ROWS / 9) * 1000).toISOString();
  auditExport = {
    small: await exportCsv(base, headers, pid, `&from=${encodeURIComponent(tenth)}`),
    full: await exportCsv(base, headers, pid, ''),
  };
  return out;
}

async function exportCsv(base, headers, pid, filter) {
  const before = rssKb(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 20);
  const started = Date.now();
  const response = await fetch(`${base}/api/v1/audit-logs?format=csv${filter}`, { headers });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body) {
    bytes += chunk.length;
    for (const byte of chunk) {
      if (byte === 10) lines += 1;
    }
  }
  clearInterval(sampler);
  return {
    rows: lines - 1,
    mb: bytes / 1e6,
    seconds: (Date.now() - started) / 1000,
    rssBeforeMb: before / 1024,
    rssPeakMb: peak / 1024,
  };
}

async function accountScenarios(base) {
  const out = {};
  const emails = await seedAccounts(base, db.url);
  const sessions = [];
  for (const email of emails) {
    sessions.push(await signIn(base, email));
  }

  let next = 0;
  const meRequest = {
    method: 'GET',
    path: '/api/v1/users/me',
    setupRequest: (req) => ({
      ...req,
      headers: { authorization: `Bearer ${sessions[next++ % ACCOUNTS].access_token}` },
    }),
  };
  out['app GET /api/v1/users/me'] = await load(`${base}`, { requests: [meRequest] });
  // A fixed rate needs few connections: autocannon bursts with many (bare Fastify then shows
  // 40 ms p97.5 at 1,000 req/s with 50 connections, 2 ms with 10).
  out['app GET /api/v1/users/me at 1,000 req/s'] = await load(`${base}`, {
    requests: [meRequest],
    overallRate: 1000,
    connections: 10,
  });

  let who = 0;
  const loginRequest = {
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: json({}),
    setupRequest: (req) => ({
      ...req,
      body: JSON.stringify({ email: emails[who++ % ACCOUNTS], password: PASSWORD }),
    }),
  };
  out['app POST /api/v1/auth/login'] = await load(`${base}`, { requests: [loginRequest] });
  // Saturated, latency is queueing (50 connections / throughput); below capacity it is the work.
  out['app POST /api/v1/auth/login at 50 req/s'] = await load(`${base}`, {
    requests: [loginRequest],
    overallRate: 50,
    connections: 10,
  });

  let registered = 0;
  const runId = Date.now();
  out['app POST /api/v1/auth/register'] = await load(`${base}`, {
    requests: [
      {
        method: 'POST',
        path: '/api/v1/auth/register',
        headers: json({}),
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            email: `new-${runId}-${registered++}@bench.test`,
            password: PASSWORD,
            full_name: 'New Person',
          }),
        }),
      },
    ],
  });

  // Every session's refresh token is in use by one request at a time, and rotates.
  const tokens = [];
  for (const email of emails) {
    tokens.push((await signIn(base, email)).refresh_token);
  }
  const free = tokens.map((_, slot) => slot);
  const refreshRun = () =>
    load(`${base}`, {
      connections: Math.min(CONNECTIONS, ACCOUNTS),
      warmup: false,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/auth/refresh',
          headers: json({}),
          setupRequest: (req, context) => {
            context.slot = free.shift();
            return { ...req, body: JSON.stringify({ refresh_token: tokens[context.slot] }) };
          },
          onResponse: (status, responseBody, context) => {
            if (status === 200) {
              tokens[context.slot] = JSON.parse(responseBody).refresh_token;
            }
            free.push(context.slot);
          },
        },
      ],
    });
  out['app POST /api/v1/auth/refresh'] = await refreshRun();
  return out;
}

const bare = results['bare GET /api/v1/status'];
const bareHeaders = results['bare-with-headers GET /api/v1/status'];
const app = results['app GET /api/v1/status'];
const audited = results['app POST /api/v1/bench/items'];
const unaudited = results['app-no-audit POST /api/v1/bench/items'];
const me = results['app GET /api/v1/users/me'];
const meAtRate = results['app GET /api/v1/users/me at 1,000 req/s'];
const loginRun = results['app POST /api/v1/auth/login'];
const argon = results['argon2id verify, raw (same process type)'];
console.log(
  `\nautocannon -c ${CONNECTIONS} -d ${DURATION}s (after ${WARMUP}s warm-up), Node ${process.version}\n`,
);
for (const [name, result] of Object.entries(results)) {
  if (result.p50 === undefined) {
    console.log(`${name.padEnd(46)} ${result.rps.toFixed(0).padStart(8)} verifications/s`);
  } else {
    console.log(row(name, result));
  }
}
const ratio = (a, b) => (a / b).toFixed(2);
console.log(`
GET /api/v1/status, app / bare Fastify:              ${ratio(app.rps, bare.rps)} (target >= 0.50)
GET /api/v1/status, app / bare Fastify + same headers: ${ratio(app.rps, bareHeaders.rps)}
POST with audit / without audit recording:           ${ratio(audited.rps, unaudited.rps)}
GET /api/v1/users/me / bare Fastify:                 ${ratio(me.rps, bare.rps)} (target >= 0.30)
GET /api/v1/users/me p95 at ${meAtRate.rps.toFixed(0)} req/s:              ${meAtRate.p95} ms (target < 100 ms; seed: profile p95 < 100 ms, token check p95 < 50 ms)
login / raw argon2id verify:                         ${ratio(loginRun.rps, argon.rps)} (target >= 0.85)
GET /api/v1/audit-logs p95 on 100k rows, plain / filtered: ${results['app GET /api/v1/audit-logs (100k rows)'].p95} ms / ${results['app GET /api/v1/audit-logs filtered (100k rows)'].p95} ms (target < 100 ms)
GET /api/v1/users p95 on 100k members, plain / at 100 req/s / filtered: ${results['app GET /api/v1/users (100k members)'].p95} ms / ${results['app GET /api/v1/users (100k members) at 100 req/s'].p95} ms / ${results['app GET /api/v1/users?role&q&sort=email (100k members)'].p95} ms
${['small', 'full'].map((size) => `CSV export: ${auditExport[size].rows} rows, ${auditExport[size].mb.toFixed(1)} MB in ${auditExport[size].seconds.toFixed(1)} s; server RSS ${auditExport[size].rssBeforeMb.toFixed(0)} MB before, ${auditExport[size].rssPeakMb.toFixed(0)} MB peak`).join('\n')}
login p95, saturated / at 50 req/s:                  ${loginRun.p95} ms / ${results['app POST /api/v1/auth/login at 50 req/s'].p95} ms (seed: < 200 ms)`);
console.log(`\n${usageLines.join('\n')}`);
console.log(`\nPayments\n${paymentLines.join('\n')}`);
console.log(`\nLicenses\n${licenseLines.join('\n')}`);
console.log(`\nLTI\n${ltiLines.join('\n')}`);
console.log(`\nSign-in\n${signinLines.join('\n')}`);
