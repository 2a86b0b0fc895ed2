import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '../setup/test-database.js';
import { waitFor } from '../support/http.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

async function readiness(t: TestApp): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${t.baseUrl}/health/readiness`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('health', () => {
  let t: TestApp;
  let proxy: TcpProxy;
  let dropDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    const target = new URL(database.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    const port = await proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.port = String(port);
    t = await startTestApp({ databaseUrl: viaProxy.toString() });
  });

  afterAll(async () => {
    await proxy.start(proxy.port);
    await t.close();
    await proxy.stop();
    await dropDatabase();
  });

  it('should report liveness without touching dependencies', async () => {
    const response = await fetch(`${t.baseUrl}/health/liveness`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('should be ready when the database and the queue backend answer', async () => {
    const { status, body } = await readiness(t);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      details: { database: { status: 'up' }, queue: { status: 'up' } },
    });
    if (process.env.REDIS_URL) {
      expect(body).toMatchObject({ details: { redis: { status: 'up' } } });
    }
  });

  it('should answer 503 with per-check details while the database is unreachable, and 200 once it returns', async () => {
    await proxy.stop();
    await waitFor(async () => (await readiness(t)).status === 503, { timeoutMs: 15_000 });
    const down = await readiness(t);
    expect(down.body).toMatchObject({
      error_code: 'COMMON_SERVICE_UNAVAILABLE',
      details: { details: { database: { status: 'down' } } },
      request_id: expect.any(String),
    });

    await proxy.start(proxy.port);
    await waitFor(async () => (await readiness(t)).status === 200, { timeoutMs: 15_000 });
    expect((await readiness(t)).body).toMatchObject({ status: 'ok' });
  });
});
