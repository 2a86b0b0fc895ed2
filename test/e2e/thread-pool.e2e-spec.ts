import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '../setup/test-database.js';
import { freePort } from '../support/free-port.js';
import { requestJson, waitFor } from '../support/http.js';

const ENTRY = path.resolve(import.meta.dirname, '../../.test-dist/src/entry.cjs');
// The size README documents: the CPU count, at least 2.
const EXPECTED = Math.max(2, availableParallelism());

/**
 * Threads of the server started as `npm start` starts it (`node entry.cjs`), once password
 * hashing has run on libuv's pool (the pool starts its threads on first use, all at once).
 */
async function threadsOfServer(databaseUrl: string, poolSize: number | undefined): Promise<number> {
  const { UV_THREADPOOL_SIZE: _unset, REDIS_URL: _redis, ...inherited } = process.env;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [ENTRY], {
    env: {
      ...inherited,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      RATE_LIMIT_ANONYMOUS_LIMIT: '100000',
      RATE_LIMIT_LOGIN_LIMIT: '100000',
      ...(poolSize === undefined ? {} : { UV_THREADPOOL_SIZE: String(poolSize) }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`the server exited (${child.exitCode}): ${output.join('')}`);
        }
        return (await fetch(`${base}/health/readiness`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    // Unknown accounts still cost an argon2id verification (the timing guard), on the pool.
    const attempts = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        requestJson(`${base}/api/v1/auth/login`, {
          method: 'POST',
          json: { email: `nobody-${i}@thread-pool.test`, password: 'Wrong-Pass-2026!' },
        }),
      ),
    );
    expect(attempts.map((attempt) => attempt.status)).toEqual([401, 401, 401, 401]);
    return (await readdir(`/proc/${child.pid}/task`)).length;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('the thread pool of the started server', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('should have the size UV_THREADPOOL_SIZE would give it, with the variable unset', async () => {
    const unset = await threadsOfServer(database.url, undefined);
    const explicit = await threadsOfServer(database.url, EXPECTED);
    const eight = await threadsOfServer(database.url, EXPECTED + 6);
    expect(unset).toBe(explicit);
    // The count moves with the pool alone: six more pool threads, six more threads.
    expect(eight - explicit).toBe(6);
  }, 120_000);
});
