import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { bearer } from '../factories/accounts.js';
import { query } from './database-client.js';
import { FakeStripe, type FakeEvent } from './fake-stripe/index.js';
import { requestJson, waitFor } from './http.js';
import type { ManualClock } from './manual-clock.js';
import { startTestApp, type TestApp, type TestAppOptions } from './test-app.js';

export const STRIPE_KEY = 'sk_test_dreamseed';
export const WEBHOOK_SECRET = 'whsec_dreamseed_current';
/** The secret being rolled out: both verify during the roll. */
export const NEXT_WEBHOOK_SECRET = 'whsec_dreamseed_next';

export interface PlanView {
  id: string;
  name: string;
  unit_amount: number;
  currency: string;
  interval: string;
  trial_days: number;
  seat_based: boolean;
  audience: string;
  is_active: boolean;
  stripe_product_id: string;
  stripe_price_id: string;
  features: Record<string, unknown>;
}

export interface PaymentsApp {
  t: TestApp;
  stripe: FakeStripe;
  webhookUrl: string;
  close(): Promise<void>;
}

/** The app with payments on, its Stripe client pointed at a fresh fake Stripe. */
export async function startPaymentsApp(
  options: TestAppOptions & { clock?: ManualClock } = {},
): Promise<PaymentsApp> {
  const clock = options.clock;
  const stripe = await FakeStripe.start({
    secretKey: STRIPE_KEY,
    now: clock ? () => clock.nowMs() : undefined,
  });
  const t = await startTestApp({
    ...options,
    env: {
      STRIPE_SECRET_KEY: STRIPE_KEY,
      STRIPE_WEBHOOK_SECRETS: `${WEBHOOK_SECRET}, ${NEXT_WEBHOOK_SECRET}`,
      STRIPE_API_HOST: stripe.host,
      STRIPE_API_PORT: String(stripe.port),
      STRIPE_API_PROTOCOL: 'http',
      STRIPE_EVENT_MAX_ATTEMPTS: '3',
      STRIPE_EVENT_RETRY_DELAY_MS: '100',
      ...options.env,
    },
  });
  const webhookUrl = `${t.baseUrl}/api/v1/webhooks/stripe`;
  stripe.webhook = { url: webhookUrl, secret: WEBHOOK_SECRET };
  return {
    t,
    stripe,
    webhookUrl,
    close: async () => {
      await t.close();
      await stripe.close();
    },
  };
}

export async function createPlan(
  t: TestApp,
  superAdminToken: string,
  overrides: Record<string, unknown> = {},
): Promise<PlanView> {
  const response = await requestJson<PlanView>(`${t.baseUrl}/api/v1/admin/plans`, {
    method: 'POST',
    headers: bearer(superAdminToken),
    json: {
      name: `Plan ${Math.random().toString(36).slice(2, 8)}`,
      unit_amount: 990,
      currency: 'usd',
      interval: 'month',
      audience: 'individual',
      ...overrides,
    },
  });
  if (response.status !== 201) {
    throw new Error(`plan not created: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/** Starts a checkout through the API; returns the Stripe session id. */
export async function checkout(
  t: TestApp,
  token: string,
  planId: string,
  quantity?: number,
): Promise<string> {
  const response = await requestJson<{ session_id: string }>(
    `${t.baseUrl}/api/v1/payments/checkout-sessions`,
    { method: 'POST', headers: bearer(token), json: { plan_id: planId, quantity } },
  );
  if (response.status !== 201) {
    throw new Error(`checkout failed: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.session_id;
}

/** Delivers each event as a signed webhook and checks it was acknowledged. */
export async function deliver(stripe: FakeStripe, events: FakeEvent[]): Promise<void> {
  for (const event of events) {
    const answer = await stripe.deliver(event);
    if (answer.status !== 200) {
      throw new Error(`delivery of ${event.type} answered ${answer.status}: ${answer.body}`);
    }
  }
}

/** Waits until every one of these stored events is processed. */
export async function processed(t: TestApp, events: Array<{ id: string }>): Promise<void> {
  const ids = events.map((event) => event.id);
  await waitFor(
    async () => {
      const [row] = await query<{ done: string }>(
        t.databaseUrl,
        `SELECT count(*) AS done FROM stripe_events WHERE id = ANY($1) AND processed_at IS NOT NULL`,
        [ids],
      );
      return Number(row?.done) === ids.length;
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );
}

/** Delivers the events and waits until all are processed. */
export async function deliverAndProcess(
  t: TestApp,
  stripe: FakeStripe,
  events: FakeEvent[],
): Promise<void> {
  await deliver(stripe, events);
  await processed(t, events);
}

export async function subscriptionRow(
  t: TestApp,
  stripeSubscriptionId: string,
): Promise<Record<string, unknown> | undefined> {
  const [row] = await query(
    t.databaseUrl,
    `SELECT * FROM subscriptions WHERE stripe_subscription_id = $1`,
    [stripeSubscriptionId],
  );
  return row;
}

/** The Stripe subscription id a completed checkout made. */
export function subscriptionOf(events: FakeEvent[]): string {
  const created = events.find((event) => event.type === 'customer.subscription.created');
  const id = (created?.data.object as { id?: string } | undefined)?.id;
  if (!id) {
    throw new Error('no customer.subscription.created among the events');
  }
  return id;
}

/** Mails in the app's outbox whose text has all of these fragments. */
export async function mailsMatching(t: TestApp, ...fragments: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of await readdir(t.outboxDir)) {
    const raw = await readFile(path.join(t.outboxDir, file), 'utf8');
    if (fragments.every((fragment) => raw.includes(fragment))) {
      found.push(raw);
    }
  }
  return found;
}
