// `node bench/compare.mjs <old tree> <new tree> [rounds]`: the signed-in hot paths (GET
// /users/me, rotating refresh, GET /status) of two built checkouts, interleaved round by round
// (old, new, new, old, ...) so that the machine's drift falls on both. Each tree's
// bench/server.mjs runs the app on its own database of DATABASE_URL's server.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { URL } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { serverArgs } from './server-process.mjs';

const [oldTree, newTree, roundsArg = '4'] = process.argv.slice(2);
const ADMIN = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PASSWORD = 'Bench-Pass-2026!';
const ACCOUNTS = 50;
const trees = { old: path.resolve(oldTree ?? ''), new: path.resolve(newTree ?? '') };

async function sql(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

function start(tree, url) {
  const child = spawn(process.execPath, serverArgs('app', tree), {
    cwd: tree,
    env: {
      ...process.env,
      BENCH_DATABASE_URL: url,
      JWT_PRIVATE_KEY_FILE: path.join(tree, '.data/bench-compare-key.pem'),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /READY (\d+)/.exec(stderr);
      if (match) {
        resolve({ port: Number(match[1]), child });
      }
    });
    child.on('exit', (code) => reject(new Error(`${tree} exited ${code}: ${stderr}`)));
  });
}

async function post(base, route, body) {
  const response = await fetch(base + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${route}: ${response.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

function checked(result, what) {
  const unexpected = result.non2xx + result.errors + result.timeouts;
  if (unexpected > 0) {
    throw new Error(`${what}: ${unexpected} failed responses`);
  }
  return Math.round(result.requests.average);
}

async function round(name) {
  const database = `bench_compare_${name}`;
  await sql(ADMIN, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await sql(ADMIN, `CREATE DATABASE ${database}`);
  const url = new URL(ADMIN);
  url.pathname = `/${database}`;
  const { port, child } = await start(trees[name], url.toString());
  const base = `http://127.0.0.1:${port}`;
  try {
    const emails = Array.from({ length: ACCOUNTS }, (_, i) => `compare-${i}@bench.test`);
    for (const email of emails) {
      await post(base, '/api/v1/auth/register', { email, password: PASSWORD, full_name: 'Bench' });
    }
    await sql(url.toString(), 'UPDATE users SET email_verified_at = now()');
    const sessions = [];
    for (const email of emails) {
      sessions.push(await post(base, '/api/v1/auth/login', { email, password: PASSWORD }));
    }
    let next = 0;
    const me = {
      method: 'GET',
      path: '/api/v1/users/me',
      setupRequest: (req) => ({
        ...req,
        headers: { authorization: `Bearer ${sessions[next++ % ACCOUNTS].access_token}` },
      }),
    };
    await autocannon({ url: base, connections: 50, duration: 3, requests: [me] });
    const meRps = checked(
      await autocannon({ url: base, connections: 50, duration: 10, requests: [me] }),
      'users/me',
    );
    const status = checked(
      await autocannon({ url: `${base}/api/v1/status`, connections: 50, duration: 5 }),
      'status',
    );
    const tokens = sessions.map((session) => session.refresh_token);
    const free = tokens.map((_, slot) => slot);
    const refresh = {
      method: 'POST',
      path: '/api/v1/auth/refresh',
      headers: { 'content-type': 'application/json' },
      setupRequest: (req, context) => {
        context.slot = free.shift();
        return { ...req, body: JSON.stringify({ refresh_token: tokens[context.slot] }) };
      },
      onResponse: (code, body, context) => {
        if (code === 200) {
          tokens[context.slot] = JSON.parse(body).refresh_token;
        }
        free.push(context.slot);
      },
    };
    const refreshRps = checked(
      await autocannon({ url: base, connections: 50, duration: 10, requests: [refresh] }),
      'refresh',
    );
    return { me: meRps, status, refresh: refreshRps };
  } finally {
    child.kill('SIGKILL');
  }
}

const runs = { old: [], new: [] };
for (let i = 0; i < Number(roundsArg); i += 1) {
  for (const name of i % 2 ? ['new', 'old'] : ['old', 'new']) {
    const result = await round(name);
    runs[name].push(result);
    console.log(`round ${i + 1} ${name.padEnd(3)} ${JSON.stringify(result)}`);
  }
}
const mean = (list, key) => list.reduce((sum, run) => sum + run[key], 0) / list.length;
for (const key of ['me', 'status', 'refresh']) {
  const ratio = mean(runs.new, key) / mean(runs.old, key);
  console.log(
    `${key.padEnd(8)} new / old (means of ${roundsArg} interleaved runs): ${ratio.toFixed(2)}`,
  );
}
