import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type TestUser, type Tokens } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import type { FakeEvent } from '../support/fake-stripe/index.js';
import { requestJson, waitFor } from '../support/http.js';
import {
  checkout,
  createPlan,
  deliverAndProcess,
  mailsMatching,
  startPaymentsApp,
  subscriptionOf,
  subscriptionRow,
  type PaymentsApp,
  type PlanView,
} from '../support/payments.js';

interface SubscriptionView {
  status: string;
  entitled: boolean;
  plan_id: string;
  payer_type: string;
  user_id: string | null;
  current_period_end: string;
}

function ofType(events: FakeEvent[], type: string): FakeEvent {
  const found = events.find((event) => event.type === type);
  if (!found) {
    throw new Error(`no ${type} among ${events.map((event) => event.type).join(', ')}`);
  }
  return found;
}

describe('payments: events in any order', () => {
  let p: PaymentsApp;
  let premium: PlanView;

  const me = (tokens: Tokens) =>
    requestJson<SubscriptionView>(`${p.t.baseUrl}/api/v1/subscriptions/me`, {
      headers: bearer(tokens.access_token),
    });

  /** Delivers the events one at a time, each processed before the next is sent. */
  const deliverOneByOne = async (events: FakeEvent[]) => {
    for (const event of events) {
      await deliverAndProcess(p.t, p.stripe, [event]);
    }
  };

  const transactionsOf = (stripeSubscriptionId: string) =>
    query<{ stripe_invoice_id: string; amount: string; status: string }>(
      p.t.databaseUrl,
      `SELECT t.stripe_invoice_id, t.amount, t.status FROM payment_transactions t
       JOIN subscriptions s ON s.id = t.subscription_id
       WHERE s.stripe_subscription_id = $1 ORDER BY t.created_at`,
      [stripeSubscriptionId],
    );

  const outboxCount = async (type: string, subscriptionId: string) => {
    const [row] = await query<{ n: string }>(
      p.t.databaseUrl,
      `SELECT count(*) AS n FROM outbox_events WHERE type = $1 AND aggregate_id = $2`,
      [type, subscriptionId],
    );
    return Number(row?.n);
  };

  /** Waits for the mail, then until every billing event is relayed, and returns what was sent. */
  const settledMails = async (user: TestUser, fragment: string) => {
    await waitFor(async () => (await mailsMatching(p.t, user.email, fragment)).length > 0);
    await waitFor(async () => {
      const [row] = await query<{ n: string }>(
        p.t.databaseUrl,
        `SELECT count(*) AS n FROM outbox_events
         WHERE type LIKE 'subscription.%' AND published_at IS NULL`,
      );
      return Number(row?.n) === 0;
    });
    return mailsMatching(p.t, user.email, fragment);
  };

  const buy = async () => {
    const buyer = await createUser(p.t);
    const tokens = await login(p.t, buyer);
    const events = p.stripe.completeCheckout(await checkout(p.t, tokens.access_token, premium.id));
    return { buyer, tokens, events, subscription: subscriptionOf(events) };
  };

  beforeAll(async () => {
    p = await startPaymentsApp();
    const superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
    premium = await createPlan(p.t, superAdmin.access_token, {
      name: 'Premium',
      unit_amount: 990,
      features: { api_requests_per_hour: 1000 },
    });
  });

  afterAll(async () => {
    await p.close();
  });

  it('should end active for the right payer and plan when updated and paid come before the checkout', async () => {
    const { buyer, tokens, events, subscription } = await buy();
    // Stripe changes the subscription again before any of the checkout's events arrive.
    const [updated] = p.stripe.updateSubscription(subscription, { metadata: { source: 'web' } });
    expect(updated?.type).toBe('customer.subscription.updated');
    const early = [updated, ofType(events, 'invoice.paid')];
    const late = [
      ofType(events, 'checkout.session.completed'),
      ofType(events, 'customer.subscription.created'),
      ...events.filter(
        (event) =>
          !['invoice.paid', 'checkout.session.completed', 'customer.subscription.created'].includes(
            event.type,
          ),
      ),
    ];

    await deliverOneByOne(early);
    // The first event already made the row: nothing waited for the checkout.
    expect(await subscriptionRow(p.t, subscription)).toMatchObject({
      status: 'active',
      payer_user_id: buyer.id,
      plan_id: premium.id,
    });
    await deliverOneByOne(late);

    const mine = await me(tokens);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      status: 'active',
      entitled: true,
      plan_id: premium.id,
      payer_type: 'user',
      user_id: buyer.id,
    });
    const transactions = await transactionsOf(subscription);
    expect(transactions).toEqual([
      {
        stripe_invoice_id: (ofType(events, 'invoice.paid').data.object as { id: string }).id,
        amount: '990',
        status: 'succeeded',
      },
    ]);
    const row = await subscriptionRow(p.t, subscription);
    expect(await outboxCount('subscription.started', String(row?.id))).toBe(1);
    expect(await settledMails(buyer, 'subscription has started')).toHaveLength(1);
  });

  it('should stay canceled and not entitled when a stale updated event arrives after deleted', async () => {
    const { buyer, tokens, events, subscription } = await buy();
    await deliverAndProcess(p.t, p.stripe, events);
    // Recorded first, delivered last: an update Stripe retried long after the cancellation.
    const [stale] = p.stripe.updateSubscription(subscription, { metadata: { note: 'before' } });
    const deleted = p.stripe.endSubscription(subscription);
    expect(deleted.map((event) => event.type)).toEqual(['customer.subscription.deleted']);
    expect((stale?.data.object as { status: string }).status).toBe('active');

    await deliverAndProcess(p.t, p.stripe, deleted);
    expect((await me(tokens)).body).toMatchObject({ status: 'canceled', entitled: false });
    await deliverAndProcess(p.t, p.stripe, [stale]);

    const after = await me(tokens);
    expect(after.body).toMatchObject({ status: 'canceled', entitled: false });
    expect(await subscriptionRow(p.t, subscription)).toMatchObject({ status: 'canceled' });
    const row = await subscriptionRow(p.t, subscription);
    expect(await outboxCount('subscription.canceled', String(row?.id))).toBe(1);
    expect(await settledMails(buyer, 'subscription has ended')).toHaveLength(1);
  });

  it('should end in the latest period when two renewals are delivered in reverse order', async () => {
    const { tokens, events, subscription } = await buy();
    await deliverAndProcess(p.t, p.stripe, events);
    const first = p.stripe.renew(subscription, { paid: true });
    const second = p.stripe.renew(subscription, { paid: true });
    const stripeSide = await p.stripe.client().subscriptions.retrieve(subscription);
    const latestEnd = new Date(
      (stripeSide.items.data[0]?.current_period_end ?? 0) * 1000,
    ).toISOString();

    await deliverOneByOne([...first, ...second].reverse());

    const mine = await me(tokens);
    expect(mine.body).toMatchObject({ status: 'active', entitled: true });
    expect(mine.body.current_period_end).toBe(latestEnd);
    const row = await subscriptionRow(p.t, subscription);
    expect((row?.current_period_end as Date).toISOString()).toBe(latestEnd);
    const invoiceOf = (renewal: FakeEvent[]) =>
      (ofType(renewal, 'invoice.paid').data.object as { id: string }).id;
    const transactions = await transactionsOf(subscription);
    expect(transactions).toHaveLength(3);
    expect(transactions.map((transaction) => transaction.stripe_invoice_id).sort()).toEqual(
      [invoiceOf(events), invoiceOf(first), invoiceOf(second)].sort(),
    );
    expect(transactions.every((transaction) => transaction.status === 'succeeded')).toBe(true);
  });

  it('should end in the same state when the renewal events all arrive at once, newest first', async () => {
    const { tokens, events, subscription } = await buy();
    await deliverAndProcess(p.t, p.stripe, events);
    const renewal = p.stripe.renew(subscription, { paid: true });
    const stripeSide = await p.stripe.client().subscriptions.retrieve(subscription);

    await deliverAndProcess(p.t, p.stripe, [...renewal].reverse());

    const mine = await me(tokens);
    expect(mine.body).toMatchObject({ status: 'active', entitled: true });
    expect(mine.body.current_period_end).toBe(
      new Date((stripeSide.items.data[0]?.current_period_end ?? 0) * 1000).toISOString(),
    );
    expect(await transactionsOf(subscription)).toHaveLength(2);
  });
});
