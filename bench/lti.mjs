// LTI 1.3 launches under load. (1) End to end: BENCH_LTI_CLIENTS (default 8) browsers, each
// launching again and again from an in-process LMS (oidc-provider playing the platform, the same
// counterpart as the e2e tests): login initiation at the tool, the platform's authorization
// (form_post id_token), the launch (every 1EdTech check, the person, school, class and seat),
// and the code exchange for tokens. 200 learners in 5 courses, so most launches are returning
// people, as in a school day. Launches per second, latency, and the CPU of the app, PostgreSQL
// and this process (load generator and platform). (2) The launch validation alone: the id_token
// checks (signature, claims) on a warm key set, timed in this process on the app's own code,
// as a share of the app's CPU per launch measured in (1). (3) LTI Advantage on the same app and
// LMS: a 5,000-member roster sync and scores published to the gradebook (bench/lti-advantage.mjs).
// `npm run bench` runs it; alone: `npm run bench -- lti` (DATABASE_URL: an empty database).
import { freePort } from '../scripts/free-port.mjs';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL, URL } from 'node:url';
import { benchDatabase } from './database.mjs';
import { startServer } from './server-process.mjs';
import { runLtiAdvantageBench } from './lti-advantage.mjs';
import { cpuShare, cpuSnapshot } from './payments.mjs';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const CLIENTS = Number(process.env.BENCH_LTI_CLIENTS ?? 8);
const LEARNERS = 200;
const COURSES = 5;
const VALIDATIONS = 2000;
const LEARNER_ROLE = 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner';

async function seed(client, platform, tenantId) {
  await client.query(
    `INSERT INTO tenants (id, name, status, settings) VALUES ($1, 'LTI bench school', 'active', '{"auto_assign_seats": true}')`,
    [tenantId],
  );
  const { rows } = await client.query(
    `INSERT INTO lti_platforms (tenant_id, issuer, client_id, auth_login_url, token_url, jwks_url, display_name, product)
     VALUES ($1, $2, 'bench-tool', $3, $4, $5, 'Bench LMS', 'moodle') RETURNING id`,
    [tenantId, platform.issuer, platform.authLoginUrl, platform.tokenUrl, platform.jwksUrl],
  );
  await client.query(
    `INSERT INTO lti_deployments (platform_id, deployment_id, status) VALUES ($1, 'bench-dep', 'approved')`,
    [rows[0].id],
  );
  await client.query(
    `INSERT INTO school_licenses (tenant_id, total_seats, starts_at, expires_at) VALUES ($1, 100000, now() - interval '1 day', now() + interval '90 days')`,
    [tenantId],
  );
}

export async function runLtiBench(databaseUrl) {
  const { LtiPlatform, driveLaunch } = await import('../.test-dist/test/support/lti-platform.js');
  const { default: pg } = await import('pg');
  const toolPort = await freePort();
  const toolUrl = `http://127.0.0.1:${toolPort}`;
  const platform = new LtiPlatform({
    port: await freePort(),
    clientId: 'bench-tool',
    toolUrl,
    deploymentId: 'bench-dep',
  });
  await platform.start();
  const client = new pg.Client({ connectionString: databaseUrl });
  // No LTI_KEY_ENCRYPTION_KEY of its own: the tool key the bench's earlier servers sealed on
  // this database must open (they share the development key file).
  const app = await startServer('app-workers', {
    BENCH_DATABASE_URL: databaseUrl,
    BENCH_PORT: String(toolPort),
    PUBLIC_URL: toolUrl,
    FRONTEND_URL: 'http://frontend.bench',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const lines = [];
  try {
    await client.connect();
    await seed(client, platform, `lti_bench_${randomBytes(3).toString('hex')}`);
    /** One launch through the platform, and the code exchange's body. */
    const launch = async (input) => {
      const result = await driveLaunch(platform.prepareLaunch(input).loginUrl);
      const code = new URL(result.launchResponse.location ?? 'http://x/').searchParams.get('code');
      if (result.launchResponse.status !== 302 || !code) {
        throw new Error(
          `launch refused: ${result.launchResponse.status} ${result.launchResponse.headers.get('x-error-code')}`,
        );
      }
      const exchanged = await fetch(`${app.base}/api/v1/auth/oauth/exchange`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
      if (exchanged.status !== 200) {
        throw new Error(`exchange answered ${exchanged.status}: ${await exchanged.text()}`);
      }
      return exchanged.json();
    };
    const launchOnce = (n) =>
      launch({
        user: { sub: `bench-learner-${n % LEARNERS}`, name: `Learner ${n % LEARNERS}` },
        roles: [LEARNER_ROLE],
        context: { id: `course-${n % COURSES}`, title: `Course ${n % COURSES}` },
        resourceLink: { id: `link-${n % 17}` },
      });
    const run = async (seconds) => {
      const until = Date.now() + seconds * 1000;
      const latencies = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (Date.now() < until) {
            const started = performance.now();
            await launchOnce(next++);
            latencies.push(performance.now() - started);
          }
        }),
      );
      return latencies.sort((a, b) => a - b);
    };
    // Warm-up: every learner and course exists once, then a short run.
    for (let n = 0; n < LEARNERS; n += CLIENTS) {
      await Promise.all(Array.from({ length: CLIENTS }, (_, i) => launchOnce(n + i)));
    }
    await run(WARMUP);
    const before = await cpuSnapshot(app.pid, client);
    const started = performance.now();
    const latencies = await run(DURATION);
    const seconds = (performance.now() - started) / 1000;
    const after = await cpuSnapshot(app.pid, client);
    const appCpuPerLaunchUs = ((after.app - before.app) / latencies.length) * 1e6;
    const pct = (q) => latencies[Math.floor(q * (latencies.length - 1))].toFixed(1);
    lines.push(
      `  launch end to end (login + platform auth + launch + exchange), ${CLIENTS} clients: ${(latencies.length / seconds).toFixed(0)} launches/s, p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms`,
      `    ${cpuShare(before, after, seconds, 'load generator + LMS (oidc-provider)')}; app CPU per launch ${(appCpuPerLaunchUs / 1000).toFixed(2)} ms`,
    );
    lines.push(...(await validationCost(platform, toolUrl, appCpuPerLaunchUs)));
    lines.push(...(await runLtiAdvantageBench({ app, platform, client, launch })));
  } finally {
    await app.stop();
    await client.end();
    await platform.stop();
  }
  return lines;
}

/** The id_token checks alone, on the app's own verifyIdToken, with the key set in hand. */
async function validationCost(platform, toolUrl, appCpuPerLaunchUs) {
  const { verifyIdToken } = await import('../dist/src/modules/lti/launch/id-token-validator.js');
  const { readLaunchMessage } = await import('../dist/src/modules/lti/launch/launch-message.js');
  const jwks = await (await fetch(platform.jwksUrl)).json();
  const lookup = (kid) => Promise.resolve(jwks.keys.find((key) => key.kid === kid));
  const token = await platform.signIdToken(
    platform.validClaims({ nonce: 'bench-nonce', targetLinkUri: `${toolUrl}/lti/launch` }),
  );
  const check = async () => {
    const claims = await verifyIdToken(token, lookup, {
      issuer: platform.issuer,
      clientId: 'bench-tool',
      now: new Date(),
    });
    readLaunchMessage(claims, ['LtiResourceLinkRequest']);
  };
  for (let i = 0; i < 200; i += 1) {
    await check();
  }
  const started = process.cpuUsage();
  const wall = performance.now();
  for (let i = 0; i < VALIDATIONS; i += 1) {
    await check();
  }
  const used = process.cpuUsage(started);
  const perCheckUs = (used.user + used.system) / VALIDATIONS;
  const rate = VALIDATIONS / ((performance.now() - wall) / 1000);
  return [
    `  launch validation alone (RS256 signature + claims, warm keys): ${perCheckUs.toFixed(0)} µs CPU each (${rate.toFixed(0)}/s on one core) = ${((perCheckUs / appCpuPerLaunchUs) * 100).toFixed(1)}% of the app's CPU per launch`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const db = await benchDatabase('dreamseed-bench-lti');
  try {
    console.log(`LTI\n${(await runLtiBench(db.url)).join('\n')}`);
  } finally {
    await db.stop();
  }
  process.exit();
}
