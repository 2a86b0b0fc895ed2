import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type TestUser, type Tokens } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import type { FakeEvent } from '../support/fake-stripe/index.js';
import { requestJson, waitFor } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  checkout,
  createPlan,
  deliver,
  deliverAndProcess,
  mailsMatching,
  processed,
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
  cancel_at_period_end: boolean;
  current_period_end: string;
}

const DAY_MS = 24 * 3600 * 1000;
const DEFAULT_BUDGET = '100';
const PLAN_BUDGET = '1000';
const PORTAL = 'http://localhost:5173/billing/portal';

function ofType(events: FakeEvent[], type: string): FakeEvent {
  const found = events.find((event) => event.type === type);
  if (!found) {
    throw new Error(`no ${type} among ${events.map((event) => event.type).join(', ')}`);
  }
  return found;
}

const idOf = (event: FakeEvent): string => (event.data.object as { id: string }).id;

describe('payments: a subscription over its life', () => {
  const clock = new ManualClock();
  let p: PaymentsApp;
  let premium: PlanView;

  const call = <T = SubscriptionView>(tokens: Tokens, method: string, path: string) =>
    requestJson<T>(`${p.t.baseUrl}/api/v1${path}`, {
      method,
      headers: bearer(tokens.access_token),
    });
  const me = (tokens: Tokens) => call(tokens, 'GET', '/subscriptions/me');
  const budgetOf = async (tokens: Tokens) =>
    (await me(tokens)).headers.get('x-ratelimit-limit-authenticated');

  const buy = async (plan: PlanView = premium) => {
    const buyer = await createUser(p.t);
    const tokens = await login(p.t, buyer);
    const events = p.stripe.completeCheckout(await checkout(p.t, tokens.access_token, plan.id));
    await deliverAndProcess(p.t, p.stripe, events);
    const subscription = subscriptionOf(events);
    const row = await subscriptionRow(p.t, subscription);
    return { buyer, tokens, events, subscription, rowId: String(row?.id) };
  };

  const outboxCount = async (type: string, subscriptionId: string) => {
    const [row] = await query<{ n: string }>(
      p.t.databaseUrl,
      `SELECT count(*) AS n FROM outbox_events WHERE type = $1 AND aggregate_id = $2`,
      [type, subscriptionId],
    );
    return Number(row?.n);
  };

  /** Waits for the mail, then until every billing event is relayed, and returns what was sent. */
  const settledMails = async (user: TestUser, ...fragments: string[]) => {
    await waitFor(async () => (await mailsMatching(p.t, user.email, ...fragments)).length > 0);
    await waitFor(async () => {
      const [row] = await query<{ n: string }>(
        p.t.databaseUrl,
        `SELECT count(*) AS n FROM outbox_events
         WHERE type LIKE 'subscription.%' AND published_at IS NULL`,
      );
      return Number(row?.n) === 0;
    });
    return mailsMatching(p.t, user.email, ...fragments);
  };

  /** The API's events Stripe sent by itself (our own changes), once they are processed. */
  const apiEventsProcessed = async (subscription: string, since: number) => {
    await p.stripe.deliveriesSettled();
    const caused = p.stripe.events
      .slice(since)
      .filter((event) => idOf(event) === subscription && event.type.startsWith('customer.'));
    expect(caused.length).toBeGreaterThan(0);
    await processed(p.t, caused);
  };

  const transactionsOf = (stripeSubscriptionId: string) =>
    query<{ status: string; amount: string; amount_refunded: string; stripe_invoice_id: string }>(
      p.t.databaseUrl,
      `SELECT t.status, t.amount, t.amount_refunded, t.stripe_invoice_id FROM payment_transactions t
       JOIN subscriptions s ON s.id = t.subscription_id WHERE s.stripe_subscription_id = $1
       ORDER BY t.created_at`,
      [stripeSubscriptionId],
    );

  beforeAll(async () => {
    p = await startPaymentsApp({
      clock,
      env: {
        RATE_LIMIT_AUTHENTICATED_LIMIT: DEFAULT_BUDGET,
        // Room for an event to wait for the one it depends on (100 ms doubling, ~12 s in all).
        STRIPE_EVENT_MAX_ATTEMPTS: '8',
      },
    });
    const superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
    premium = await createPlan(p.t, superAdmin.access_token, {
      name: 'Premium',
      unit_amount: 990,
      features: { api_requests_per_hour: Number(PLAN_BUDGET) },
    });
  });

  afterAll(async () => {
    await p.close();
  });

  describe('a failed renewal', () => {
    it('should go past_due, mail the portal link once and keep the plan through the grace period', async () => {
      const { buyer, tokens, subscription, rowId } = await buy();
      const failed = p.stripe.renew(subscription, { paid: false });
      const failure = ofType(failed, 'invoice.payment_failed');
      await deliverAndProcess(p.t, p.stripe, failed);
      // Stripe's webhook retry of the same event, and its next attempt at the same invoice.
      const again = await p.stripe.deliver(failure);
      expect(again.status).toBe(200);
      expect(JSON.parse(again.body)).toMatchObject({ duplicate: true });
      const nextAttempt = p.stripe.event('invoice.payment_failed', failure.data.object);
      await deliverAndProcess(p.t, p.stripe, [nextAttempt]);

      expect(await subscriptionRow(p.t, subscription)).toMatchObject({ status: 'past_due' });
      const pastDue = await me(tokens);
      expect(pastDue.body).toMatchObject({ status: 'past_due', entitled: true });
      expect(pastDue.headers.get('x-ratelimit-limit-authenticated')).toBe(PLAN_BUDGET);
      expect(await transactionsOf(subscription)).toEqual([
        expect.objectContaining({ status: 'succeeded' }),
        expect.objectContaining({ status: 'failed', stripe_invoice_id: idOf(failure) }),
      ]);

      expect(await outboxCount('subscription.payment_failed', rowId)).toBe(1);
      const mails = await settledMails(buyer, 'could not take the payment');
      expect(mails).toHaveLength(1);
      expect(mails[0]).toContain(PORTAL);

      clock.advance(6 * DAY_MS);
      expect((await me(tokens)).body.entitled).toBe(true);
      expect(await budgetOf(tokens)).toBe(PLAN_BUDGET);

      // Past the 7 days of grace: the rows may still be cached, the grace is checked on each read.
      clock.advance(2 * DAY_MS);
      const late = await login(p.t, buyer);
      const lapsed = await me(late);
      expect(lapsed.body).toMatchObject({ status: 'past_due', entitled: false });
      expect(lapsed.headers.get('x-ratelimit-limit-authenticated')).toBe(DEFAULT_BUDGET);

      // Stripe's retry succeeds at the next renewal: paid up and entitled again.
      await deliverAndProcess(p.t, p.stripe, p.stripe.renew(subscription, { paid: true }));
      const paid = await me(late);
      expect(paid.body).toMatchObject({ status: 'active', entitled: true });
      expect(paid.headers.get('x-ratelimit-limit-authenticated')).toBe(PLAN_BUDGET);
      expect(await subscriptionRow(p.t, subscription)).toMatchObject({ past_due_since: null });
      expect(await settledMails(buyer, 'could not take the payment')).toHaveLength(1);
      expect(await outboxCount('subscription.started', rowId)).toBe(1);
    });
  });

  describe('cancel at period end', () => {
    it('should keep the plan until the period ends, then end it when Stripe does, mailing once', async () => {
      const { buyer, tokens, subscription, rowId } = await buy();
      const since = p.stripe.events.length;
      const canceled = await call(tokens, 'POST', '/subscriptions/me/cancel');
      expect(canceled.status).toBe(200);
      expect(canceled.body).toMatchObject({
        status: 'active',
        cancel_at_period_end: true,
        entitled: true,
      });
      const stripeSide = await p.stripe.client().subscriptions.retrieve(subscription);
      expect(stripeSide.cancel_at_period_end).toBe(true);
      await apiEventsProcessed(subscription, since);
      const row = await subscriptionRow(p.t, subscription);
      expect(row).toMatchObject({ status: 'active', cancel_at_period_end: true });
      expect((await me(tokens)).body.entitled).toBe(true);
      expect(await budgetOf(tokens)).toBe(PLAN_BUDGET);

      // The period is over; Stripe's deleted event has not come yet.
      const periodEnd = (row?.current_period_end as Date).getTime();
      clock.advance(periodEnd - clock.nowMs() + 60_000);
      const late = await login(p.t, buyer);
      const over = await me(late);
      expect(over.body).toMatchObject({ status: 'active', entitled: false });
      expect(over.headers.get('x-ratelimit-limit-authenticated')).toBe(DEFAULT_BUDGET);

      const ended = p.stripe.endPeriod(subscription);
      expect(ended.map((event) => event.type)).toEqual(['customer.subscription.deleted']);
      await deliverAndProcess(p.t, p.stripe, ended);
      const deletedAgain = p.stripe.event('customer.subscription.deleted', ended[0].data.object);
      await deliverAndProcess(p.t, p.stripe, [deletedAgain]);

      expect((await me(late)).body).toMatchObject({ status: 'canceled', entitled: false });
      expect(await subscriptionRow(p.t, subscription)).toMatchObject({ status: 'canceled' });
      expect(await outboxCount('subscription.canceled', rowId)).toBe(1);
      expect(await settledMails(buyer, 'subscription has ended')).toHaveLength(1);
    });

    it('should keep the subscription when it is resumed before the period ends', async () => {
      const { buyer, tokens, subscription } = await buy();
      const since = p.stripe.events.length;
      expect((await call(tokens, 'POST', '/subscriptions/me/cancel')).status).toBe(200);
      const resumed = await call(tokens, 'POST', '/subscriptions/me/resume');
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({
        status: 'active',
        cancel_at_period_end: false,
        entitled: true,
      });
      const stripeSide = await p.stripe.client().subscriptions.retrieve(subscription);
      expect(stripeSide.cancel_at_period_end).toBe(false);
      await apiEventsProcessed(subscription, since);
      const row = await subscriptionRow(p.t, subscription);
      expect(row).toMatchObject({ status: 'active', cancel_at_period_end: false });

      const periodEnd = (row?.current_period_end as Date).getTime();
      clock.advance(periodEnd - clock.nowMs() + 60_000);
      const late = await login(p.t, buyer);
      expect((await me(late)).body.entitled).toBe(true);
      // The period's end renews it instead of ending it.
      const renewal = p.stripe.endPeriod(subscription);
      expect(renewal.map((event) => event.type)).toContain('invoice.paid');
      await deliverAndProcess(p.t, p.stripe, renewal);
      const renewed = await me(late);
      expect(renewed.body).toMatchObject({ status: 'active', entitled: true });
      expect(new Date(renewed.body.current_period_end).getTime()).toBeGreaterThan(periodEnd);
      expect(await mailsMatching(p.t, buyer.email, 'subscription has ended')).toHaveLength(0);
    });
  });

  describe('refunds', () => {
    it('should mark the payment refunded in full when Stripe refunds its invoice', async () => {
      const { events, subscription } = await buy();
      const invoice = idOf(ofType(events, 'invoice.paid'));
      const refunded = p.stripe.refund(invoice);
      expect(refunded.map((event) => event.type)).toEqual(['charge.refunded']);
      await deliverAndProcess(p.t, p.stripe, refunded);

      expect(await transactionsOf(subscription)).toEqual([
        { status: 'refunded', amount: '990', amount_refunded: '990', stripe_invoice_id: invoice },
      ]);
    });

    it('should retry a refund that arrives before its invoice and apply it once the invoice is in', async () => {
      const buyer = await createUser(p.t);
      const tokens = await login(p.t, buyer);
      const events = p.stripe.completeCheckout(
        await checkout(p.t, tokens.access_token, premium.id),
      );
      const subscription = subscriptionOf(events);
      const isInvoicePayment = (event: FakeEvent) =>
        event.type === 'invoice.paid' || event.type === 'invoice.payment_succeeded';
      await deliverAndProcess(
        p.t,
        p.stripe,
        events.filter((event) => !isInvoicePayment(event)),
      );
      const invoice = idOf(ofType(events, 'invoice.paid'));
      const [refund] = p.stripe.refund(invoice);
      await deliver(p.stripe, [refund]);

      // It cannot be applied yet: it fails and waits for a retry.
      const [pending] = await waitFor(async () => {
        const rows = await query<{ attempts: number; last_error: string; processed_at: Date }>(
          p.t.databaseUrl,
          `SELECT attempts, last_error, processed_at FROM stripe_events
           WHERE id = $1 AND attempts > 0`,
          [refund.id],
        );
        return rows.length > 0 ? rows : undefined;
      });
      expect(pending?.processed_at).toBeNull();
      expect(pending?.last_error).toContain('refunds no payment recorded yet');
      expect(await transactionsOf(subscription)).toEqual([]);

      await deliverAndProcess(p.t, p.stripe, events.filter(isInvoicePayment));
      await processed(p.t, [refund]);

      expect(await transactionsOf(subscription)).toEqual([
        { status: 'refunded', amount: '990', amount_refunded: '990', stripe_invoice_id: invoice },
      ]);
      const [stored] = await query<{ attempts: number; failed_at: Date | null }>(
        p.t.databaseUrl,
        `SELECT attempts, failed_at FROM stripe_events WHERE id = $1`,
        [refund.id],
      );
      expect(stored?.attempts).toBeGreaterThanOrEqual(1);
      expect(stored?.failed_at).toBeNull();
    });
  });

  describe('a trial', () => {
    it('should be trialing and entitled, and warn once that the trial ends soon', async () => {
      const superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
      const trialPlan = await createPlan(p.t, superAdmin.access_token, {
        name: 'Premium trial',
        trial_days: 14,
        features: { api_requests_per_hour: Number(PLAN_BUDGET) },
      });
      const { buyer, tokens, events, subscription, rowId } = await buy(trialPlan);
      const session = p.stripe.requests.find(
        (request) =>
          request.method === 'POST' &&
          request.path === '/v1/checkout/sessions' &&
          JSON.stringify(request.body).includes(trialPlan.stripe_price_id),
      );
      expect(session?.body).toMatchObject({ subscription_data: { trial_period_days: '14' } });

      const trialing = await me(tokens);
      expect(trialing.body).toMatchObject({
        status: 'trialing',
        entitled: true,
        plan_id: trialPlan.id,
      });
      expect(trialing.headers.get('x-ratelimit-limit-authenticated')).toBe(PLAN_BUDGET);
      // A trial's first invoice is for nothing: no payment to record.
      expect(ofType(events, 'invoice.paid').data.object).toMatchObject({ amount_paid: 0 });
      expect(await transactionsOf(subscription)).toEqual([]);

      const [warning] = p.stripe.trialWillEnd(subscription);
      await deliverAndProcess(p.t, p.stripe, [warning]);
      expect(JSON.parse((await p.stripe.deliver(warning)).body)).toMatchObject({
        duplicate: true,
      });
      const secondWarning = p.stripe.event('customer.subscription.trial_will_end', {
        ...warning.data.object,
      });
      await deliverAndProcess(p.t, p.stripe, [secondWarning]);

      expect(await outboxCount('subscription.trial_ending', rowId)).toBe(1);
      const trialEnd = new Date(
        (warning.data.object as { trial_end: number }).trial_end * 1000,
      ).toISOString();
      const mails = await settledMails(buyer, 'trial ends soon');
      expect(mails).toHaveLength(1);
      expect(mails[0]).toContain(trialEnd.slice(0, 10));
    });
  });
});
