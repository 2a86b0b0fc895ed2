import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { market, marketEnv, marketTenantId } from '../factories/market.js';
import { waitFor } from '../support/http.js';
import { startTestApp } from '../support/test-app.js';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: { event_id: string; event_type: string; tenant_id: string; data: Record<string, unknown> };
}

/** The Service Market's callback endpoint: records deliveries, answers what the test says. */
class CallbackReceiver {
  readonly deliveries: Delivery[] = [];
  status = 200;
  private server?: http.Server;

  async start(): Promise<string> {
    this.server = http.createServer((request, response) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', () => {
        this.deliveries.push({
          headers: request.headers,
          body: JSON.parse(raw) as Delivery['body'],
        });
        response.writeHead(this.status).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/callbacks`;
  }

  for(tenantId: string): Delivery[] {
    return this.deliveries.filter((delivery) => delivery.body.tenant_id === tenantId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('Service Market callbacks', () => {
  const receiver = new CallbackReceiver();
  let callbackEnv: Record<string, string>;

  beforeAll(async () => {
    callbackEnv = {
      ...marketEnv,
      MARKET_CALLBACK_URL: await receiver.start(),
      MARKET_CALLBACK_API_KEY: 'service-key-for-the-market',
    };
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it('should tell the market about activation and deactivation, once each, with the service key', async () => {
    const t = await startTestApp({ env: callbackEnv });
    try {
      const tenantId = marketTenantId('cb');
      await market(t, 'POST', `/mt/tenant/${tenantId}/activate`, { name: 'Callback School' });
      await market(t, 'POST', `/mt/tenant/${tenantId}/activate`, { name: 'Callback School' });
      await market(t, 'POST', `/mt/tenant/${tenantId}/deactivate`, { reason: 'ended' });
      const deliveries = await waitFor(() =>
        Promise.resolve(receiver.for(tenantId).length >= 2 && receiver.for(tenantId)),
      );
      expect(deliveries.map((delivery) => delivery.body.event_type)).toEqual([
        'tenant.activated',
        'tenant.deactivated',
      ]);
      for (const delivery of deliveries) {
        expect(delivery.headers['x-service-api-key']).toBe('service-key-for-the-market');
        expect(delivery.headers['idempotency-key']).toBe(delivery.body.event_id);
      }
      expect(deliveries[1]?.body.data).toMatchObject({ tenant_id: tenantId, reason: 'ended' });
    } finally {
      await t.close();
    }
  });

  it('should keep a callback across a restart and deliver it after a failure', async () => {
    // The first instance relays nothing to the market (its workers are off), then stops.
    const first = await startTestApp({ env: { ...callbackEnv, QUEUE_WORKERS_ENABLED: 'false' } });
    const tenantId = marketTenantId('restart');
    await market(first, 'POST', `/mt/tenant/${tenantId}/activate`, { name: 'Restart School' });
    const databaseUrl = first.databaseUrl;
    await first.app.close();
    expect(receiver.for(tenantId)).toEqual([]);

    receiver.status = 503;
    const second = await startTestApp({ env: callbackEnv, databaseUrl });
    try {
      await waitFor(() => Promise.resolve(receiver.for(tenantId).length >= 1));
      receiver.status = 200;
      // The market was down: the job retries (backoff 5 s) and gets through.
      const deliveries = await waitFor(
        () => Promise.resolve(receiver.for(tenantId).length >= 2 && receiver.for(tenantId)),
        { timeoutMs: 20_000 },
      );
      expect(new Set(deliveries.map((delivery) => delivery.body.event_id)).size).toBe(1);
      expect(deliveries[0]?.body.event_type).toBe('tenant.activated');
    } finally {
      await second.close();
    }
  });
});
