// `npm run bench`: measures, in one run, the real app against bare Fastify on the same machine.
// Each server runs in its own process; autocannon runs in this one.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

function startTarget(mode, env) {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'server.mjs'), mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk.toString();
      const match = /READY (\d+)/.exec(stderr);
      if (match) {
        resolve({ port: Number(match[1]), stop: () => stopChild(child) });
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

async function load(url, options = {}) {
  await autocannon({ url, connections: CONNECTIONS, duration: WARMUP, ...options });
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    ...options,
  });
  const unexpected = result.non2xx + result.errors + result.timeouts;
  if (unexpected > 0) {
    throw new Error(`${url}: ${unexpected} failed responses (non-2xx, errors or timeouts)`);
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

async function database() {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, stop: async () => undefined };
  }
  const { startEmbeddedPostgres } =
    await import('../dist/src/common/database/embedded-postgres.js');
  const root = await mkdtemp(path.join(tmpdir(), 'dreamseed-bench-'));
  await chmod(root, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(root, 'pg'),
    port: 54400 + Math.floor(Math.random() * 500),
    database: 'dreamseed_bench',
    persistent: false,
  });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

const db = await database();
const env = { BENCH_DATABASE_URL: db.url };
const results = {};
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
      if (mode === 'app' || mode === 'app-no-audit') {
        results[`${mode} POST /api/v1/bench/items`] = await load(
          `${base}/api/v1/bench/items`,
          post,
        );
      }
    } finally {
      await target.stop();
    }
  }
} finally {
  await db.stop();
}

const bare = results['bare GET /api/v1/status'];
const bareHeaders = results['bare-with-headers GET /api/v1/status'];
const app = results['app GET /api/v1/status'];
const audited = results['app POST /api/v1/bench/items'];
const unaudited = results['app-no-audit POST /api/v1/bench/items'];
console.log(
  `\nautocannon -c ${CONNECTIONS} -d ${DURATION}s (after ${WARMUP}s warm-up), Node ${process.version}\n`,
);
for (const [name, result] of Object.entries(results)) {
  console.log(row(name, result));
}
console.log(
  `\nGET /api/v1/status, app / bare Fastify:         ${(app.rps / bare.rps).toFixed(2)} (target >= 0.50)`,
);
console.log(
  `GET /api/v1/status, app / bare Fastify + same headers: ${(app.rps / bareHeaders.rps).toFixed(2)}`,
);
console.log(
  `POST with audit / without audit recording:      ${(audited.rps / unaudited.rps).toFixed(2)}`,
);
