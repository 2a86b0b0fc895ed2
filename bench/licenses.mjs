// School seat licenses under load. (1) Seat assignments under contention: BENCH_LICENSE_CONNECTIONS
// (default 100) clients POST /api/v1/licenses/:id/seats on one license, each request naming a
// student nobody named before, so every assignment queues on the same license row; then the same
// against the license once it is full (every request a 409 LICENSE_NO_SEATS_AVAILABLE: what a
// refusal costs). After each run the database must agree: used_seats = count(license_seats) =
// the 201s. (2) What @RequiresSeat costs: the seat check (SeatAccess.heldSeat and the whole
// RequiresSeatGuard, warm cache) timed in this process on the app's own classes, against the
// app's CPU per request of the guarded GET /api/v1/licenses/me and of GET /api/v1/users/me,
// measured in interleaved ABBA rounds together with GET /api/v1/users/me/entitlements.
// `npm run bench` runs it last; alone: `npm run build && node bench/run.mjs licenses` (or
// `node bench/licenses.mjs`; DATABASE_URL: an empty database on your server; else embedded).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { benchDatabase } from './database.mjs';
import { startServer } from './server-process.mjs';
import { cpuSeconds, cpuShare, cpuSnapshot } from './payments.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const ASSIGN_CONNECTIONS = Number(process.env.BENCH_LICENSE_CONNECTIONS ?? 100);
const ME_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
/** Seats of the license assigned under contention. */
const SEATS = Number(process.env.BENCH_LICENSE_SEATS ?? 20_000);
/** Requests of the contention run (each a new student); fixed, so every response is counted. */
const ASSIGNMENTS = Number(process.env.BENCH_LICENSE_ASSIGNMENTS ?? 10_000);
/** Requests of the run against the full license. */
const REFUSALS = Number(process.env.BENCH_LICENSE_REFUSALS ?? 5_000);
const WARMUP_ASSIGNMENTS = 2_000;
/** Assignments by one client, to see one without anyone queued ahead of it. */
const SOLO_ASSIGNMENTS = 500;
/** Students who sign in and read their license. */
const READERS = 50;
const TENANT = 'lic_bench_school';
const PASSWORD = 'Bench-Pass-2026!';
const TARGET_SHARE = 5;

function startApp(env) {
  return startServer('app', { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...env });
}

async function call(base, route, { method = 'GET', body, token } = {}) {
  const response = await fetch(`${base}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function ok(base, route, options) {
  const response = await call(base, route, options);
  if (response.status >= 300) {
    throw new Error(`${route}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

const signIn = async (base, email, tenantId) =>
  (
    await ok(base, '/api/v1/auth/login', {
      method: 'POST',
      body: { email, password: PASSWORD, ...(tenantId ? { tenant_id: tenantId } : {}) },
    })
  ).access_token;

/**
 * The school, a super admin, a school admin, READERS students who sign in (one more without a
 * seat) and `students` more, straight into the database. One argon2id hash, made by the app's
 * own hasher, serves everyone who signs in.
 */
async function seed(client, students) {
  const { PasswordHasher } = await import('../dist/src/modules/auth/password-hasher.js');
  const hash = await new PasswordHasher().hash(PASSWORD);
  const run = Date.now();
  await client.query(`INSERT INTO tenants (id, name) VALUES ($1, 'License Bench School')`, [
    TENANT,
  ]);
  const person = async (email, platformRole = null) => {
    const {
      rows: [row],
    } = await client.query(
      `INSERT INTO users (email, full_name, password_hash, email_verified_at, platform_role)
       VALUES ($1, 'Bench Person', $2, now(), $3) RETURNING id`,
      [email, hash, platformRole],
    );
    return { id: row.id, email };
  };
  const superAdmin = await person(`lic-super-${run}@bench.test`, 'super_admin');
  const admin = await person(`lic-admin-${run}@bench.test`);
  await client.query(
    `INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, 'admin')`,
    [admin.id, TENANT],
  );
  const readers = [];
  for (let i = 0; i <= READERS; i += 1) {
    const reader = await person(`lic-reader-${i}-${run}@bench.test`);
    await client.query(
      `INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, 'student')`,
      [reader.id, TENANT],
    );
    readers.push(reader);
  }
  const { rows } = await client.query(
    `WITH created AS (
       INSERT INTO users (email, full_name, password_hash, email_verified_at)
       SELECT 'lic-student-' || g || '-' || $3 || '@bench.test', 'Student ' || g, NULL, now()
       FROM generate_series(1, $1) g
       RETURNING id
     )
     INSERT INTO memberships (user_id, tenant_id, role)
     SELECT id, $2, 'student' FROM created RETURNING user_id`,
    [students, TENANT, run],
  );
  for (const table of ['users', 'memberships']) {
    await client.query(`VACUUM ANALYZE ${table}`);
  }
  return {
    superAdmin,
    admin,
    readers: readers.slice(0, READERS),
    unseated: readers[READERS],
    students: rows.map((row) => row.user_id),
  };
}

/** Counted in the database: the license's used_seats and its seat rows. */
async function seatCounts(client, licenseId) {
  const {
    rows: [row],
  } = await client.query(
    `SELECT l.used_seats, l.total_seats, l.status,
            (SELECT count(*)::int FROM license_seats s WHERE s.license_id = l.id) AS seat_rows
     FROM school_licenses l WHERE l.id = $1`,
    [licenseId],
  );
  return row;
}

/**
 * `amount` assignments to one license, each naming the next unused student of `pool`; autocannon
 * waits for every response, so the database holds exactly what was answered.
 */
async function assign(app, token, licenseId, pool, amount, connections = ASSIGN_CONNECTIONS) {
  if (pool.next + amount > pool.ids.length) {
    throw new Error(`not enough students seeded for ${amount} more assignments`);
  }
  const result = await autocannon({
    url: app.base,
    connections,
    amount,
    requests: [
      {
        method: 'POST',
        path: `/api/v1/licenses/${licenseId}/seats`,
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ user_id: pool.ids[pool.next++] }),
        }),
      },
    ],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]),
  );
  return {
    // A fixed number of requests ends in a partial second: the rate over the whole run.
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    seconds: result.duration,
    non2xx: result.non2xx,
    failures: result.errors + result.timeouts,
    statuses,
  };
}

async function load(options) {
  const result = await autocannon({ duration: DURATION, ...options });
  const unexpected = result.non2xx + result.errors + result.timeouts;
  if (unexpected > 0) {
    throw new Error(
      `${options.requests[0].path}: ${unexpected} failed: ${JSON.stringify(result.statusCodeStats)}`,
    );
  }
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
  };
}

/** Best of three rounds of `calls` awaited calls, in ns per call. */
async function nanosecondsPerCall(fn, calls = 500_000) {
  let best = Infinity;
  for (let round = 0; round < 3; round += 1) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i += 1) {
      await fn(i);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / calls);
  }
  return best;
}

/**
 * What the seat check costs on a warm cache (every request of a seated student but one each
 * 5 s), on the app's own SeatAccess (its cache, the system clock) and RequiresSeatGuard.
 */
async function seatCheckNanoseconds() {
  const { SeatAccess } = await import('../dist/src/modules/licenses/seat-access.service.js');
  const { RequiresSeatGuard } = await import('../dist/src/modules/licenses/requires-seat.guard.js');
  const { SystemClock } = await import('../dist/src/common/clock/clock.js');
  const now = Date.now();
  const seatsOf = (userId) => [
    {
      license_id: 'other-license',
      tenant_id: 'other_school',
      starts_at: new Date(now - 86_400_000),
      expires_at: new Date(now + 86_400_000),
      status: 'active',
      assigned_at: new Date(now),
    },
    {
      license_id: `license-of-${userId}`,
      tenant_id: TENANT,
      starts_at: new Date(now - 86_400_000),
      expires_at: new Date(now + 365 * 86_400_000),
      status: 'active',
      assigned_at: new Date(now),
    },
  ];
  const access = new SeatAccess(
    { liveSeatsOf: (userId) => Promise.resolve(seatsOf(userId)) },
    new SystemClock(),
    { on: () => undefined },
  );
  const users = Array.from({ length: READERS }, (_, i) => `user-${i}`);
  for (const userId of users) {
    if (!(await access.heldSeat(userId, TENANT))) {
      throw new Error('the seat check found no seat');
    }
  }
  const held = await nanosecondsPerCall((i) => access.heldSeat(users[i % READERS], TENANT));
  const guard = new RequiresSeatGuard(access);
  const contexts = users.map((userId) => ({
    principal: { kind: 'user', userId, tenantId: TENANT, role: 'student' },
  }));
  const context = (request) => ({ switchToHttp: () => ({ getRequest: () => request }) });
  const guarded = await nanosecondsPerCall((i) => {
    // A new request each time, as on the wire: the guard memoises the seat on the request.
    const request = { principal: contexts[i % READERS].principal };
    return guard.canActivate(context(request));
  });
  return { held, guarded };
}

export async function runLicensesBench(databaseUrl) {
  const { default: pg } = await import('pg');
  const keyDir = await mkdtemp(path.join(tmpdir(), 'dreamseed-bench-licenses-'));
  const env = {
    BENCH_DATABASE_URL: databaseUrl,
    JWT_PRIVATE_KEY_FILE: path.join(keyDir, 'signing-key.pem'),
  };
  if (ASSIGNMENTS > SEATS) {
    throw new Error('BENCH_LICENSE_ASSIGNMENTS must not exceed BENCH_LICENSE_SEATS');
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  const lines = [];
  const app = await startApp(env);
  let failed = false;
  try {
    await client.connect();
    const people = await seed(
      client,
      WARMUP_ASSIGNMENTS + SOLO_ASSIGNMENTS + ASSIGNMENTS + REFUSALS,
    );
    const superToken = await signIn(app.base, people.superAdmin.email);
    const adminToken = await signIn(app.base, people.admin.email, TENANT);
    const expiresAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
    const license = (seats) =>
      ok(app.base, '/api/v1/licenses', {
        method: 'POST',
        token: superToken,
        body: { tenant_id: TENANT, total_seats: seats, expires_at: expiresAt },
      });
    const warmupLicense = await license(WARMUP_ASSIGNMENTS);
    const soloLicense = await license(SOLO_ASSIGNMENTS);
    const contended = await license(SEATS);
    const pool = { ids: people.students, next: 0 };

    // 1. Assignments under contention, each a new student on the same license.
    await assign(app, adminToken, warmupLicense.id, pool, WARMUP_ASSIGNMENTS);
    await sleep(500);
    const codes = (statuses) =>
      Object.entries(statuses)
        .map(([code, count]) => `${code}: ${count}`)
        .join(', ');
    const solo = await assign(app, adminToken, soloLicense.id, pool, SOLO_ASSIGNMENTS, 1);
    const afterSolo = await seatCounts(client, soloLicense.id);
    const soloConsistent =
      afterSolo.used_seats === afterSolo.seat_rows && afterSolo.used_seats === solo.statuses['201'];
    failed ||= !soloConsistent;
    lines.push(
      `POST /licenses/:id/seats, 1 conn. (no queue)      ${solo.rps.toFixed(0).padStart(6)} req/s   p50 ${solo.p50} ms   p99 ${solo.p99} ms   (${codes(solo.statuses)}; database ${soloConsistent ? 'consistent' : 'MISMATCH'})`,
    );
    let cpuBefore = await cpuSnapshot(app.pid, client);
    const taken = await assign(app, adminToken, contended.id, pool, ASSIGNMENTS);
    let cpuAfter = await cpuSnapshot(app.pid, client);
    const afterTaking = await seatCounts(client, contended.id);
    const created = taken.statuses['201'] ?? 0;
    const consistent =
      afterTaking.used_seats === afterTaking.seat_rows && afterTaking.used_seats === created;
    failed ||= !consistent;
    lines.push(
      `POST /licenses/:id/seats, ${ASSIGN_CONNECTIONS} conn., one license  ${taken.rps.toFixed(0).padStart(6)} req/s   p50 ${taken.p50} ms   p99 ${taken.p99} ms   (${taken.total} requests in ${taken.seconds.toFixed(1)} s; ${codes(taken.statuses)}; non-2xx ${taken.non2xx}, errors/timeouts ${taken.failures})`,
      `  ${cpuShare(cpuBefore, cpuAfter, taken.seconds, 'load generator')}; one assignment at a time on the license's row lock: ${(1000 / taken.rps).toFixed(2)} ms each`,
      `  database after: used_seats ${afterTaking.used_seats}, license_seats rows ${afterTaking.seat_rows}, 201s ${created} -> ${consistent ? 'consistent' : 'MISMATCH'}`,
    );

    // The same license, full now (total = used): every request refused.
    await ok(app.base, `/api/v1/licenses/${contended.id}`, {
      method: 'PATCH',
      token: superToken,
      body: { total_seats: afterTaking.used_seats },
    });
    cpuBefore = await cpuSnapshot(app.pid, client);
    const refused = await assign(app, adminToken, contended.id, pool, REFUSALS);
    cpuAfter = await cpuSnapshot(app.pid, client);
    const afterRefusing = await seatCounts(client, contended.id);
    const allRefused = (refused.statuses['409'] ?? 0) === refused.total && refused.failures === 0;
    const unchanged =
      afterRefusing.used_seats === afterTaking.used_seats &&
      afterRefusing.seat_rows === afterTaking.seat_rows;
    failed ||= !allRefused || !unchanged;
    lines.push(
      `POST /licenses/:id/seats, license full (409)      ${refused.rps.toFixed(0).padStart(6)} req/s   p50 ${refused.p50} ms   p99 ${refused.p99} ms   (${refused.total} requests; ${codes(refused.statuses)}${allRefused ? '' : ' -> NOT ALL 409'})`,
      `  ${cpuShare(cpuBefore, cpuAfter, refused.seconds, 'load generator')}`,
      `  database after: used_seats ${afterRefusing.used_seats}, license_seats rows ${afterRefusing.seat_rows} -> ${unchanged ? 'unchanged' : 'CHANGED'}`,
    );

    // 2. The guarded route and two unguarded ones, ABBA, with the app's CPU per request.
    const readersLicense = await license(READERS);
    await ok(app.base, `/api/v1/licenses/${readersLicense.id}/seats`, {
      method: 'POST',
      token: adminToken,
      body: { user_ids: people.readers.map((reader) => reader.id) },
    });
    const tokens = [];
    for (const reader of people.readers) {
      tokens.push(await signIn(app.base, reader.email, TENANT));
    }
    const refusal = await call(app.base, '/api/v1/licenses/me', {
      token: await signIn(app.base, people.unseated.email, TENANT),
    });
    if (refusal.status !== 403 || refusal.body?.error_code !== 'LICENSE_SEAT_REQUIRED') {
      failed = true;
      lines.push(
        `  a student without a seat: ${refusal.status} ${JSON.stringify(refusal.body)} (expected 403 LICENSE_SEAT_REQUIRED)`,
      );
    }
    const routes = ['/api/v1/licenses/me', '/api/v1/users/me', '/api/v1/users/me/entitlements'];
    const requests = (route) => {
      let i = 0;
      return [
        {
          method: 'GET',
          path: route,
          setupRequest: (request) => ({
            ...request,
            headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` },
          }),
        },
      ];
    };
    const rounds = Object.fromEntries(routes.map((route) => [route, []]));
    for (let round = 0; round < 2; round += 1) {
      for (const route of round === 0 ? routes : [...routes].reverse()) {
        await load({
          url: app.base,
          connections: ME_CONNECTIONS,
          duration: WARMUP,
          requests: requests(route),
        });
        const cpu = cpuSeconds(app.pid);
        const result = await load({
          url: app.base,
          connections: ME_CONNECTIONS,
          requests: requests(route),
        });
        result.appCpuPerRequestNs = ((cpuSeconds(app.pid) - cpu) * 1e9) / result.total;
        rounds[route].push(result);
      }
    }
    const mean = (list, key) => list.reduce((sum, r) => sum + r[key], 0) / list.length;
    for (const route of routes) {
      const list = rounds[route];
      lines.push(
        `GET ${route.replace('/api/v1', '').padEnd(40)} ${mean(list, 'rps').toFixed(0).padStart(6)} req/s   p50 ${list.map((r) => r.p50).join('/')} ms   p99 ${list.map((r) => r.p99).join('/')} ms   (rounds: ${list.map((r) => r.rps.toFixed(0)).join(', ')}; app CPU ${(mean(list, 'appCpuPerRequestNs') / 1000).toFixed(0)} µs per request)`,
      );
    }
    const check = await seatCheckNanoseconds();
    const guardedNs = mean(rounds['/api/v1/licenses/me'], 'appCpuPerRequestNs');
    const meNs = mean(rounds['/api/v1/users/me'], 'appCpuPerRequestNs');
    const share = (ns, of) => ((ns / of) * 100).toFixed(2);
    const within = (check.guarded / guardedNs) * 100 < TARGET_SHARE;
    lines.push(
      `seat check, warm cache: SeatAccess.heldSeat ${check.held.toFixed(0)} ns, whole RequiresSeatGuard ${check.guarded.toFixed(0)} ns`,
      `  share of app CPU per request: licenses/me ${share(check.held, guardedNs)}% / ${share(check.guarded, guardedNs)}% (target < ${TARGET_SHARE}%: ${within ? 'met' : 'NOT MET'}), users/me ${share(check.held, meNs)}% / ${share(check.guarded, meNs)}%`,
    );
  } finally {
    await app.stop();
    await client.end().catch(() => undefined);
    await rm(keyDir, { recursive: true, force: true });
  }
  if (failed) {
    // The figures are printed all the same; the run fails.
    process.exitCode = 1;
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const db = await benchDatabase('dreamseed-bench-licenses');
  try {
    const lines = await runLicensesBench(db.url);
    process.stdout.write(`Licenses\n${lines.join('\n')}\n`);
  } finally {
    await db.stop();
  }
}
