import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { access, chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson, waitFor } from '../support/http.js';

const MAIN = path.resolve(import.meta.dirname, '../../.test-dist/src/entry.cjs');

interface RunningServer {
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** `node entry.cjs` (`npm start`) with no DATABASE_URL: the app starts its own embedded PostgreSQL. */
function startServer(env: Record<string, string>): RunningServer {
  const { DATABASE_URL: _ignored, REDIS_URL: _alsoIgnored, ...inherited } = process.env;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

async function stop(server: RunningServer): Promise<number | null> {
  server.child.kill('SIGTERM');
  return server.exited;
}

describe('npm start without DATABASE_URL', () => {
  let root = '';
  const servers: RunningServer[] = [];

  afterAll(async () => {
    for (const server of servers) {
      if (server.child.exitCode === null) {
        await stop(server);
      }
    }
    if (root) {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('should refuse to start on a bad variable, naming it', async () => {
    const server = startServer({ PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    servers.push(server);
    expect(await server.exited).toBe(1);
    const output = server.output.join('');
    expect(output).toContain('Invalid environment configuration');
    expect(output).toMatch(/- PORT:/);
  }, 60_000);

  it('should refuse a taken PORT, naming it, before starting anything', async () => {
    const occupant = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => occupant.listen(port, '127.0.0.1', resolve));
    try {
      const dataDir = path.join(tmpdir(), `dreamseed-taken-port-${port}`);
      const server = startServer({
        PORT: String(port),
        HOST: '127.0.0.1',
        EMBEDDED_PG_DIR: dataDir,
        LOG_LEVEL: 'info',
      });
      servers.push(server);
      expect(await server.exited).toBe(1);
      const output = server.output.join('');
      expect(output).toContain(`PORT ${port} is already in use on 127.0.0.1`);
      expect(output).not.toContain('successfully started');
      // Refused before the embedded database was set up.
      await expect(access(dataDir)).rejects.toThrow();
    } finally {
      await new Promise((resolve) => occupant.close(resolve));
    }
  }, 60_000);

  it('should serve on an embedded PostgreSQL, stop cleanly, and keep the data across restarts', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'dreamseed-start-'));
    await chmod(root, 0o755);
    const env = {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      EMBEDDED_PG_PORT: String(await freePort()),
      EMBEDDED_PG_DIR: path.join(root, 'postgres'),
      MAIL_OUTBOX_DIR: path.join(root, 'mail'),
      LOG_LEVEL: 'info',
    };
    const base = `http://127.0.0.1:${env.PORT}`;
    const ready = async () =>
      (await fetch(`${base}/health/readiness`).catch(() => undefined))?.status === 200;

    const first = startServer(env);
    servers.push(first);
    await waitFor(ready, { timeoutMs: 60_000, intervalMs: 250 });
    const notFound = await requestJson(`${base}/api/v1/nonexistent`, { method: 'POST', json: {} });
    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatchObject({
      error_code: 'COMMON_NOT_FOUND',
      request_id: expect.any(String),
    });

    const password = (await readFile(`${env.EMBEDDED_PG_DIR}.password`, 'utf8')).trim();
    const databaseUrl = `postgres://postgres:${password}@127.0.0.1:${env.EMBEDDED_PG_PORT}/dreamseed`;
    await query(databaseUrl, 'CREATE TABLE kept_across_restarts (note text)');
    await query(databaseUrl, "INSERT INTO kept_across_restarts VALUES ('still here')");

    expect(await stop(first)).toBe(0);
    expect(first.output.join('')).toContain('"msg":"shutting down"');
    await expect(query(databaseUrl, 'SELECT 1')).rejects.toThrow();

    const second = startServer(env);
    servers.push(second);
    await waitFor(ready, { timeoutMs: 60_000, intervalMs: 250 });
    expect(await query(databaseUrl, 'SELECT note FROM kept_across_restarts')).toEqual([
      { note: 'still here' },
    ]);
    const migrations = await query<{ count: string }>(
      databaseUrl,
      'SELECT count(*) FROM typeorm_migrations',
    );
    expect(Number(migrations[0]?.count)).toBeGreaterThan(0);
    expect(await stop(second)).toBe(0);
  }, 120_000);
});
