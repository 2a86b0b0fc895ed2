import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login } from '../factories/accounts.js';
import { requestJson, waitFor } from '../support/http.js';
import {
  checkout,
  createPlan,
  deliverAndProcess,
  NEXT_WEBHOOK_SECRET,
  startPaymentsApp,
  STRIPE_KEY,
  subscriptionOf,
  WEBHOOK_SECRET,
  type PaymentsApp,
} from '../support/payments.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Two instances of the app on one database and one Redis, as behind a load balancer. */
describe('payments on several instances', () => {
  const shared = {
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_BACKEND: 'postgres',
    RATE_LIMIT_REDIS_PREFIX: `test:${randomUUID().slice(0, 8)}:`,
    RATE_LIMIT_AUTHENTICATED_LIMIT: '100',
  };
  let a: PaymentsApp;
  let b: TestApp;

  const budgetOn = async (app: TestApp, token: string): Promise<string | null> =>
    (await requestJson(`${app.baseUrl}/api/v1/users/me`, { headers: bearer(token) })).headers.get(
      'x-ratelimit-limit-authenticated',
    );

  beforeAll(async () => {
    a = await startPaymentsApp({ env: shared });
    b = await startTestApp({
      databaseUrl: a.t.databaseUrl,
      env: {
        ...shared,
        STRIPE_SECRET_KEY: STRIPE_KEY,
        STRIPE_WEBHOOK_SECRETS: `${WEBHOOK_SECRET},${NEXT_WEBHOOK_SECRET}`,
        STRIPE_API_HOST: a.stripe.host,
        STRIPE_API_PORT: String(a.stripe.port),
        STRIPE_API_PROTOCOL: 'http',
      },
    });
  });

  // Two apps with their queue workers shut down in turn; under load that can take longer
  // than the default 30 s (it did once in CI).
  afterAll(async () => {
    await b.close();
    await a.close();
  }, 120_000);

  it('should revoke a lost subscription on every instance at once, not after the cache TTL', async () => {
    const superAdmin = await login(a.t, await createUser(a.t, { superAdmin: true }));
    const plan = await createPlan(a.t, superAdmin.access_token, {
      features: { api_requests_per_hour: 1000 },
    });
    const buyer = await login(a.t, await createUser(a.t));
    const events = a.stripe.completeCheckout(await checkout(a.t, buyer.access_token, plan.id));
    await deliverAndProcess(a.t, a.stripe, events);
    // Both instances now hold the entitlement in their caches, which would keep it 5 s.
    expect(await budgetOn(a.t, buyer.access_token)).toBe('1000');
    const filledOnB = Date.now();
    expect(await budgetOn(b, buyer.access_token)).toBe('1000');

    await deliverAndProcess(a.t, a.stripe, a.stripe.endSubscription(subscriptionOf(events)));
    await waitFor(async () => (await budgetOn(b, buyer.access_token)) === '100', {
      timeoutMs: 4000,
      intervalMs: 25,
    });
    // Well before B's cache entry would have expired by itself: the drop came over Redis.
    expect(Date.now() - filledOnB).toBeLessThan(4500);
    expect(await budgetOn(a.t, buyer.access_token)).toBe('100');
  });
});
