import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type TestUser, type Tokens } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import type { FakeEvent } from '../support/fake-stripe/index.js';
import { requestJson, waitFor } from '../support/http.js';
import {
  checkout,
  createPlan,
  deliver,
  mailsMatching,
  NEXT_WEBHOOK_SECRET,
  processed,
  startPaymentsApp,
  subscriptionOf,
  WEBHOOK_SECRET,
  type PaymentsApp,
  type PlanView,
} from '../support/payments.js';

interface StoredEvent {
  id: string;
  processed_at: Date | null;
  failed_at: Date | null;
  enqueued_at: Date | null;
  attempts: number;
  last_error: string | null;
}

interface EventView {
  id: string;
  type: string;
  attempts: number;
  last_error: string | null;
  failed_at: string | null;
  processed_at: string | null;
}

const SUBSCRIPTION_PATH = /^\/v1\/subscriptions\/sub_/;

function eventOf(events: FakeEvent[], type: string): FakeEvent {
  const found = events.find((event) => event.type === type);
  if (!found) {
    throw new Error(`no ${type} among the events`);
  }
  return found;
}

/** The value of every sample of `name` whose labels include all of `labels`. */
function samples(metrics: string, name: string, labels: Record<string, string>): number[] {
  return metrics
    .split('\n')
    .filter((line) =>
      line.startsWith(`${name}{`) || line.startsWith(`${name} `)
        ? Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))
        : false,
    )
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

describe('payments: the Stripe webhook', () => {
  let p: PaymentsApp;
  let superAdmin: Tokens;
  let plan: PlanView;

  const api = (path: string) => `${p.t.baseUrl}/api/v1${path}`;

  const storedEvent = async (id: string): Promise<StoredEvent | undefined> => {
    const [row] = await query<StoredEvent>(
      p.t.databaseUrl,
      `SELECT id, processed_at, failed_at, enqueued_at, attempts, last_error
       FROM stripe_events WHERE id = $1`,
      [id],
    );
    return row;
  };

  const storedCount = async (): Promise<number> => {
    await p.stripe.deliveriesSettled();
    const [row] = await query<{ count: string }>(
      p.t.databaseUrl,
      `SELECT count(*) AS count FROM stripe_events`,
    );
    return Number(row?.count);
  };

  const transactionsOf = (stripeSubscriptionId: string) =>
    query<{ amount: string; status: string; stripe_invoice_id: string }>(
      p.t.databaseUrl,
      `SELECT t.amount, t.status, t.stripe_invoice_id FROM payment_transactions t
       JOIN subscriptions s ON s.id = t.subscription_id WHERE s.stripe_subscription_id = $1`,
      [stripeSubscriptionId],
    );

  /** A buyer who has been through Stripe's hosted checkout; no event delivered yet. */
  const completedCheckout = async (): Promise<{
    buyer: TestUser;
    tokens: Tokens;
    events: FakeEvent[];
    subscriptionId: string;
  }> => {
    const buyer = await createUser(p.t);
    const tokens = await login(p.t, buyer);
    const sessionId = await checkout(p.t, tokens.access_token, plan.id);
    const events = p.stripe.completeCheckout(sessionId);
    return { buyer, tokens, events, subscriptionId: subscriptionOf(events) };
  };

  const startedMails = async (buyer: TestUser): Promise<string[]> =>
    waitFor(async () => {
      const found = await mailsMatching(p.t, buyer.email, 'subscription has started');
      return found.length > 0 ? found : undefined;
    });

  beforeAll(async () => {
    p = await startPaymentsApp({ env: { RATE_LIMIT_AUTHENTICATED_LIMIT: '1000' } });
    superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
    plan = await createPlan(p.t, superAdmin.access_token, { name: 'Webhook plan' });
  });

  afterAll(async () => {
    await p.close();
  });

  describe('signatures', () => {
    const unsigned = () =>
      p.stripe.event('customer.created', {
        id: `cus_${randomUUID().slice(0, 8)}`,
        object: 'customer',
        email: 'someone@school.test',
      });

    const refusals: Array<
      [string, (event: FakeEvent) => Promise<{ status: number; body: string }>]
    > = [
      [
        'a signature older than 300 s',
        (event) => p.stripe.deliver(event, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      ],
      [
        'a signature made with a secret that is not configured',
        (event) => p.stripe.deliver(event, { secret: 'whsec_somebody_else' }),
      ],
      [
        'a body changed after it was signed',
        (event) =>
          p.stripe.deliver(event, {
            payload: JSON.stringify({ ...event, type: 'invoice.paid' }),
          }),
      ],
      [
        'no Stripe-Signature header',
        async (event) => {
          const response = await fetch(p.webhookUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(event),
          });
          return { status: response.status, body: await response.text() };
        },
      ],
    ];

    it.each(refusals)('should refuse %s with 400 and store nothing', async (_case, send) => {
      const event = unsigned();
      const before = await storedCount();
      const answer = await send(event);
      expect(answer.status).toBe(400);
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      expect(body).toMatchObject({
        error_code: 'PAYMENTS_WEBHOOK_SIGNATURE_INVALID',
        message: expect.any(String),
        timestamp: expect.any(String),
        request_id: expect.any(String),
      });
      expect(body).toHaveProperty('details');
      expect(await storedEvent(event.id)).toBeUndefined();
      expect(await storedCount()).toBe(before);
    });

    it('should accept a signature just inside the 300 s tolerance', async () => {
      const event = unsigned();
      const answer = await p.stripe.deliver(event, {
        timestamp: Math.floor(Date.now() / 1000) - 290,
      });
      expect(answer.status).toBe(200);
      expect(await storedEvent(event.id)).toMatchObject({ id: event.id });
    });

    it('should accept an event signed with the second configured secret (a roll in progress)', async () => {
      const event = unsigned();
      const answer = await p.stripe.deliver(event, { secret: NEXT_WEBHOOK_SECRET });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ received: true, duplicate: false });
      expect(await storedEvent(event.id)).toMatchObject({ id: event.id });
    });

    it.each([
      ['an empty object', '{}'],
      ['an object without the event fields', '{"id":"evt_notanevent1","object":"event"}'],
      ['a JSON array', '[]'],
    ])(
      'should refuse a well-signed body that is %s with 400, storing nothing',
      async (_case, body) => {
        const before = await storedCount();
        const response = await fetch(p.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': p.stripe.signature(body, { secret: WEBHOOK_SECRET }),
          },
          body,
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toMatchObject({
          error_code: 'COMMON_VALIDATION_FAILED',
          message: 'The body is not a Stripe event',
          request_id: expect.any(String),
        });
        expect(await storedEvent('evt_notanevent1')).toBeUndefined();
        expect(await storedCount()).toBe(before);
      },
    );

    it('should write no audit record for deliveries, accepted or refused', async () => {
      const countLogins = async () => {
        const [row] = await query<{ count: string }>(
          p.t.databaseUrl,
          `SELECT count(*) AS count FROM audit_logs WHERE action = 'auth.login'`,
        );
        return Number(row?.count);
      };
      const loginsBefore = await countLogins();
      expect((await p.stripe.deliver(unsigned())).status).toBe(200);
      expect((await p.stripe.deliver(unsigned(), { secret: 'whsec_wrong' })).status).toBe(400);
      // A sign-in after them is audited: once its record is written, theirs would be too.
      await login(p.t, await createUser(p.t));
      await waitFor(async () => (await countLogins()) > loginsBefore);
      const [row] = await query<{ count: string }>(
        p.t.databaseUrl,
        `SELECT count(*) AS count FROM audit_logs
         WHERE resource_type = 'webhooks' OR action LIKE '%webhooks%'
            OR metadata ->> 'route' LIKE '%webhooks%'`,
      );
      expect(Number(row?.count)).toBe(0);
    });
  });

  describe('duplicates', () => {
    it('should store, apply and mail once when Stripe sends the same event 5 times at once', async () => {
      const { buyer, events, subscriptionId } = await completedCheckout();
      const paid = eventOf(events, 'invoice.paid');
      const answers = await Promise.all(Array.from({ length: 5 }, () => p.stripe.deliver(paid)));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      const receipts = answers.map(
        (answer) => JSON.parse(answer.body) as { received: boolean; duplicate: boolean },
      );
      expect(receipts.every((receipt) => receipt.received)).toBe(true);
      expect(receipts.filter((receipt) => !receipt.duplicate)).toHaveLength(1);
      expect(receipts.filter((receipt) => receipt.duplicate)).toHaveLength(4);

      await processed(p.t, [paid]);
      // The rest of the checkout's events, and the paid one once more after processing.
      await deliver(p.stripe, [...events, paid]);
      await processed(p.t, events);

      const rows = await query<{ attempts: number }>(
        p.t.databaseUrl,
        `SELECT attempts FROM stripe_events WHERE id = $1`,
        [paid.id],
      );
      expect(rows).toEqual([{ attempts: 1 }]);
      expect(await transactionsOf(subscriptionId)).toEqual([
        { amount: '990', status: 'succeeded', stripe_invoice_id: expect.stringMatching(/^in_/) },
      ]);
      const started = await query<{ aggregate_id: string }>(
        p.t.databaseUrl,
        `SELECT o.aggregate_id FROM outbox_events o JOIN subscriptions s ON s.id::text = o.aggregate_id
         WHERE o.type = 'subscription.started' AND s.stripe_subscription_id = $1`,
        [subscriptionId],
      );
      expect(started).toHaveLength(1);
      expect(await startedMails(buyer)).toHaveLength(1);
    });
  });

  describe('unknown event types', () => {
    it.each([
      ['customer.tax_id.created', { id: 'txi_1', object: 'tax_id', type: 'eu_vat', value: 'DE1' }],
      ['payment_method.attached', { id: 'pm_1', object: 'payment_method', type: 'card' }],
      ['radar.early_fraud_warning.created', { id: 'issfr_1', object: 'radar.early_fraud_warning' }],
    ])('should store, acknowledge and mark processed a %s event', async (type, object) => {
      const event = p.stripe.event(type, object);
      const answer = await p.stripe.deliver(event);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toEqual({ received: true, duplicate: false });
      await processed(p.t, [event]);
      expect(await storedEvent(event.id)).toMatchObject({
        attempts: 1,
        last_error: null,
        failed_at: null,
        processed_at: expect.any(Date),
      });
      const metrics = await (await fetch(`${p.t.baseUrl}/metrics`)).text();
      expect(
        samples(metrics, 'stripe_webhook_deliveries_total', {
          type: 'other',
          outcome: 'stored',
        })[0],
      ).toBeGreaterThanOrEqual(1);
    });
  });

  describe('processing failures', () => {
    it('should retry from the queue while Stripe fails, keeping the error, then apply the event once', async () => {
      const { events, subscriptionId } = await completedCheckout();
      const paid = eventOf(events, 'invoice.paid');
      const before = p.stripe.requests.filter((request) =>
        SUBSCRIPTION_PATH.test(request.path),
      ).length;
      // Each job attempt makes the SDK try 3 times (2 network retries): two attempts fail.
      p.stripe.failNext(6, { status: 500, path: SUBSCRIPTION_PATH, method: 'GET' });
      await deliver(p.stripe, [paid]);

      const failing = await waitFor(
        async () => {
          const row = await storedEvent(paid.id);
          return row && row.attempts >= 1 && row.processed_at === null ? row : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      expect(failing.last_error).toContain('An unknown error occurred');
      expect(failing.failed_at).toBeNull();

      await processed(p.t, [paid]);
      expect(await storedEvent(paid.id)).toMatchObject({
        attempts: 3,
        last_error: null,
        failed_at: null,
      });
      const fetched = p.stripe.requests.filter((request) => SUBSCRIPTION_PATH.test(request.path));
      expect(fetched.length - before).toBe(7);
      const [row] = await query<{ status: string; payer_user_id: string }>(
        p.t.databaseUrl,
        `SELECT status, payer_user_id FROM subscriptions WHERE stripe_subscription_id = $1`,
        [subscriptionId],
      );
      expect(row?.status).toBe('active');
      expect(await transactionsOf(subscriptionId)).toHaveLength(1);
    });

    it('should keep an event naming a missing user as failed, show it to admins and in metrics, and apply it once on retry', async () => {
      const { buyer, tokens, events, subscriptionId } = await completedCheckout();
      const stranger = randomUUID();
      // Stripe's subscription now names somebody this app does not know.
      p.stripe.updateSubscription(subscriptionId, {
        metadata: { payer_type: 'user', user_id: stranger, plan_id: plan.id },
      });
      const created = eventOf(events, 'customer.subscription.created');
      await deliver(p.stripe, [created]);

      const failed = await waitFor(
        async () => {
          const row = await storedEvent(created.id);
          return row?.failed_at ? row : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      expect(failed).toMatchObject({ attempts: 3, processed_at: null });
      expect(failed.last_error).toContain(`user:${stranger}, who does not exist here`);

      const listed = await requestJson<EventView[]>(api('/admin/payments/events?status=failed'), {
        headers: bearer(superAdmin.access_token),
      });
      expect(listed.status).toBe(200);
      expect(listed.body.find((event) => event.id === created.id)).toMatchObject({
        type: 'customer.subscription.created',
        attempts: 3,
        last_error: failed.last_error,
        failed_at: expect.any(String),
        processed_at: null,
      });
      const refused = await requestJson(api('/admin/payments/events?status=failed'), {
        headers: bearer(tokens.access_token),
      });
      expect(refused.status).toBe(403);

      const metrics = await (await fetch(`${p.t.baseUrl}/metrics`)).text();
      expect(samples(metrics, 'stripe_events_oldest_unprocessed_seconds', {})[0]).toBeGreaterThan(
        0,
      );
      expect(
        samples(metrics, 'stripe_events_processed_total', {
          type: 'customer.subscription.created',
          outcome: 'failed',
        })[0],
      ).toBeGreaterThanOrEqual(1);
      expect(
        samples(metrics, 'stripe_events_processed_total', {
          type: 'customer.subscription.created',
          outcome: 'retried',
        })[0],
      ).toBeGreaterThanOrEqual(2);

      // The cause is fixed at Stripe; the admin retries.
      p.stripe.updateSubscription(subscriptionId, { metadata: { user_id: buyer.id } });
      const retried = await requestJson<EventView>(
        api(`/admin/payments/events/${created.id}/retry`),
        { method: 'POST', headers: bearer(superAdmin.access_token) },
      );
      expect(retried.status).toBe(200);
      expect(retried.body).toMatchObject({ id: created.id, failed_at: null });
      await processed(p.t, [created]);
      expect(await storedEvent(created.id)).toMatchObject({
        attempts: 4,
        last_error: null,
        failed_at: null,
      });
      const again = await requestJson<EventView>(
        api(`/admin/payments/events/${created.id}/retry`),
        { method: 'POST', headers: bearer(superAdmin.access_token) },
      );
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ attempts: 4, processed_at: expect.any(String) });

      const [row] = await query<{ payer_user_id: string; status: string }>(
        p.t.databaseUrl,
        `SELECT payer_user_id, status FROM subscriptions WHERE stripe_subscription_id = $1`,
        [subscriptionId],
      );
      expect(row).toEqual({ payer_user_id: buyer.id, status: 'active' });
      expect(await startedMails(buyer)).toHaveLength(1);
      const unknown = await requestJson(api('/admin/payments/events/evt_nosuchevent/retry'), {
        method: 'POST',
        headers: bearer(superAdmin.access_token),
      });
      expect(unknown.body).toMatchObject({ error_code: 'PAYMENTS_EVENT_NOT_FOUND' });
    });

    it('should give up after every attempt fails at Stripe, then process once on retry after Stripe recovers', async () => {
      const { events, subscriptionId } = await completedCheckout();
      const paid = eventOf(events, 'invoice.paid');
      // 3 attempts of 3 tries each: every one fails, and nothing is left armed afterwards.
      p.stripe.failNext(9, { status: 503, path: SUBSCRIPTION_PATH, method: 'GET' });
      await deliver(p.stripe, [paid]);
      const failed = await waitFor(
        async () => {
          const row = await storedEvent(paid.id);
          return row?.failed_at ? row : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      expect(failed).toMatchObject({ attempts: 3, processed_at: null });
      expect(failed.last_error).toEqual(expect.any(String));
      expect(await transactionsOf(subscriptionId)).toEqual([]);

      const retried = await requestJson<EventView>(api(`/admin/payments/events/${paid.id}/retry`), {
        method: 'POST',
        headers: bearer(superAdmin.access_token),
      });
      expect(retried.status).toBe(200);
      await processed(p.t, [paid]);
      expect(await storedEvent(paid.id)).toMatchObject({ attempts: 4, last_error: null });
      expect(await transactionsOf(subscriptionId)).toHaveLength(1);
      const [row] = await query<{ status: string }>(
        p.t.databaseUrl,
        `SELECT status FROM subscriptions WHERE stripe_subscription_id = $1`,
        [subscriptionId],
      );
      expect(row?.status).toBe('active');
    });
  });
});

describe('payments: the Stripe webhook under a tight anonymous rate limit', () => {
  let p: PaymentsApp;

  beforeAll(async () => {
    p = await startPaymentsApp({ env: { RATE_LIMIT_ANONYMOUS_LIMIT: '3' } });
  });

  afterAll(async () => {
    await p.close();
  });

  it('should accept every delivery while other anonymous calls are refused', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push((await fetch(`${p.t.baseUrl}/api/v1/status`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);

    const events = Array.from({ length: 12 }, (_, i) =>
      p.stripe.event('customer.tax_id.created', { id: `txi_${i}`, object: 'tax_id' }),
    );
    const answers = await Promise.all(events.map((event) => p.stripe.deliver(event)));
    expect(answers.map((answer) => answer.status)).toEqual(events.map(() => 200));
    await processed(p.t, events);
  });
});
