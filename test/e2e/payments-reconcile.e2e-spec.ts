import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { createSchool } from '../factories/classes.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import {
  checkout,
  createPlan,
  deliverAndProcess,
  startPaymentsApp,
  subscriptionOf,
  subscriptionRow,
  type PaymentsApp,
  type PlanView,
} from '../support/payments.js';

interface ReconciliationReport {
  subscriptions_checked: number;
  subscriptions_failed: number;
  events_recovered: number;
  events_requeued: number;
}

describe('payments: POST /api/v1/admin/payments/reconcile', () => {
  let p: PaymentsApp;
  let superAdmin: Tokens;
  let premium: PlanView;
  let seats: PlanView;
  /** An endpoint that answers 200 to anything: Stripe counts what it gets as delivered. */
  let elsewhere: Server;
  let elsewhereUrl: string;

  const reconcile = (tokens: Tokens) =>
    requestJson<ReconciliationReport>(`${p.t.baseUrl}/api/v1/admin/payments/reconcile`, {
      method: 'POST',
      headers: bearer(tokens.access_token),
    });

  beforeAll(async () => {
    p = await startPaymentsApp();
    superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
    premium = await createPlan(p.t, superAdmin.access_token, { name: 'Premium' });
    seats = await createPlan(p.t, superAdmin.access_token, {
      name: 'Seats',
      unit_amount: 300,
      audience: 'school',
      seat_based: true,
    });
    elsewhere = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200).end('{}'));
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    await p.close();
    await new Promise((resolve) => elsewhere.close(resolve));
  });

  it('should refuse anyone but a super admin', async () => {
    const user = await login(p.t, await createUser(p.t));
    const refused = await reconcile(user);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error_code: 'AUTH_FORBIDDEN' });
  });

  it('should recover the events of a checkout whose webhooks never arrived', async () => {
    const buyer = await createUser(p.t);
    const tokens = await login(p.t, buyer);
    const events = p.stripe.completeCheckout(await checkout(p.t, tokens.access_token, premium.id));
    const subscription = subscriptionOf(events);
    expect(await subscriptionRow(p.t, subscription)).toBeUndefined();

    const report = await reconcile(superAdmin);
    expect(report.status).toBe(200);
    expect(report.body.events_recovered).toBeGreaterThanOrEqual(events.length);
    expect(report.body.subscriptions_failed).toBe(0);

    const stored = await query<{ id: string; source: string }>(
      p.t.databaseUrl,
      `SELECT id, source FROM stripe_events WHERE id = ANY($1)`,
      [events.map((event) => event.id)],
    );
    expect(stored).toHaveLength(events.length);
    expect(stored.every((event) => event.source === 'reconciliation')).toBe(true);
    await waitFor(async () => {
      const [row] = await query<{ n: string }>(
        p.t.databaseUrl,
        `SELECT count(*) AS n FROM stripe_events WHERE id = ANY($1) AND processed_at IS NOT NULL`,
        [events.map((event) => event.id)],
      );
      return Number(row?.n) === events.length;
    });
    expect(await subscriptionRow(p.t, subscription)).toMatchObject({
      status: 'active',
      payer_user_id: buyer.id,
      plan_id: premium.id,
    });
    const mine = await requestJson(`${p.t.baseUrl}/api/v1/subscriptions/me`, {
      headers: bearer(tokens.access_token),
    });
    expect(mine.body).toMatchObject({ status: 'active', entitled: true });
    const transactions = await query(
      p.t.databaseUrl,
      `SELECT t.status FROM payment_transactions t JOIN subscriptions s ON s.id = t.subscription_id
       WHERE s.stripe_subscription_id = $1`,
      [subscription],
    );
    expect(transactions).toEqual([{ status: 'succeeded' }]);

    // A second run finds nothing new to store.
    const again = await reconcile(superAdmin);
    expect(again.body.events_recovered).toBe(0);
  });

  it('should re-read a live subscription whose update event it never got', async () => {
    const school = await createSchool(p.t);
    const admin = school.admin.tokens.access_token;
    const events = p.stripe.completeCheckout(await checkout(p.t, admin, seats.id, 10));
    await deliverAndProcess(p.t, p.stripe, events);
    const subscription = subscriptionOf(events);
    expect(await subscriptionRow(p.t, subscription)).toMatchObject({ quantity: 10 });

    // Seats added in Stripe's dashboard; the event went to an old endpoint that answered 200,
    // so Stripe holds it as delivered and will not list it as undelivered.
    const [updated] = p.stripe.updateSubscription(subscription, { quantity: 12 });
    expect((await p.stripe.deliver(updated, { url: elsewhereUrl })).status).toBe(200);
    const undelivered = await p.stripe
      .client()
      .events.list({ delivery_success: false, limit: 100 });
    expect(undelivered.data.map((event) => event.id)).not.toContain(updated.id);

    const report = await reconcile(superAdmin);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ events_recovered: 0, subscriptions_failed: 0 });
    expect(report.body.subscriptions_checked).toBeGreaterThanOrEqual(2);

    // Fixed by the re-read itself, before the call answered.
    expect(await subscriptionRow(p.t, subscription)).toMatchObject({
      quantity: 12,
      status: 'active',
    });
    const seen = await requestJson(`${p.t.baseUrl}/api/v1/tenants/${school.tenant}/subscription`, {
      headers: bearer(admin),
    });
    expect(seen.body).toMatchObject({ quantity: 12, entitled: true });
    const [stored] = await query<{ n: string }>(
      p.t.databaseUrl,
      `SELECT count(*) AS n FROM stripe_events WHERE id = $1`,
      [updated.id],
    );
    expect(Number(stored?.n)).toBe(0);
  });
});
