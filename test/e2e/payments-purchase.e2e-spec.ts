import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { createSchool } from '../factories/classes.js';
import { query } from '../support/database-client.js';
import { requestJson, waitFor } from '../support/http.js';
import {
  checkout,
  createPlan,
  deliverAndProcess,
  mailsMatching,
  startPaymentsApp,
  subscriptionOf,
  type PaymentsApp,
  type PlanView,
} from '../support/payments.js';

interface SubscriptionView {
  id: string;
  status: string;
  entitled: boolean;
  plan_id: string;
  plan_name: string;
  quantity: number;
  payer_type: string;
  tenant_id: string | null;
  user_id: string | null;
  current_period_end: string;
  cancel_at_period_end: boolean;
  error_code?: string;
}

describe('payments: the whole purchase', () => {
  let p: PaymentsApp;
  let superAdmin: Tokens;
  let premium: PlanView;
  let schoolPlan: PlanView;

  const api = (path: string) => `${p.t.baseUrl}/api/v1${path}`;
  const call = <T = Record<string, unknown>>(
    token: string,
    method: string,
    path: string,
    json?: unknown,
  ) => requestJson<T>(api(path), { method, headers: bearer(token), json });

  beforeAll(async () => {
    p = await startPaymentsApp({ env: { RATE_LIMIT_AUTHENTICATED_LIMIT: '100' } });
    superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
    premium = await createPlan(p.t, superAdmin.access_token, {
      name: 'Premium',
      unit_amount: 990,
      features: { api_requests_per_hour: 1000 },
    });
    schoolPlan = await createPlan(p.t, superAdmin.access_token, {
      name: 'School seats',
      unit_amount: 300,
      audience: 'school',
      seat_based: true,
      features: { max_users: 500, features: { quiz: false } },
    });
  });

  afterAll(async () => {
    await p.close();
  });

  it('should have made the plan its Stripe Product and Price, in minor units', () => {
    const price = [...p.stripe.requests].find(
      (request) => request.method === 'POST' && request.path === '/v1/prices',
    );
    expect(price?.body).toMatchObject({ unit_amount: '990', currency: 'usd' });
    expect(premium.stripe_price_id).toMatch(/^price_/);
    expect(premium.stripe_product_id).toMatch(/^prod_/);
  });

  it('should take a user from checkout to an active subscription, the plan budget and a mail', async () => {
    const buyer = await createUser(p.t);
    const tokens = await login(p.t, buyer);
    const before = await call(tokens.access_token, 'GET', '/users/me');
    expect(before.headers.get('x-ratelimit-limit-authenticated')).toBe('100');

    const sessionId = await checkout(p.t, tokens.access_token, premium.id);
    const session = p.stripe.requests.find(
      (request) => request.method === 'POST' && request.path === '/v1/checkout/sessions',
    );
    expect(session?.body).toMatchObject({
      mode: 'subscription',
      line_items: { 0: { price: premium.stripe_price_id, quantity: '1' } },
      metadata: { user_id: buyer.id, plan_id: premium.id, payer_type: 'user' },
      success_url: 'http://localhost:5173/billing/success?session_id={CHECKOUT_SESSION_ID}',
    });
    expect(session?.idempotencyKey).toBeDefined();

    const events = p.stripe.completeCheckout(sessionId);
    await deliverAndProcess(p.t, p.stripe, events);

    const mine = await call<SubscriptionView>(tokens.access_token, 'GET', '/subscriptions/me');
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      status: 'active',
      entitled: true,
      plan_id: premium.id,
      plan_name: 'Premium',
      payer_type: 'user',
      user_id: buyer.id,
      cancel_at_period_end: false,
    });
    const after = await call(tokens.access_token, 'GET', '/users/me');
    expect(after.headers.get('x-ratelimit-limit-authenticated')).toBe('1000');

    const transactions = await query(
      p.t.databaseUrl,
      `SELECT t.amount, t.currency, t.status FROM payment_transactions t
       JOIN subscriptions s ON s.id = t.subscription_id WHERE s.stripe_subscription_id = $1`,
      [subscriptionOf(events)],
    );
    expect(transactions).toEqual([{ amount: '990', currency: 'usd', status: 'succeeded' }]);
    const mails = await waitFor(async () => {
      const found = await mailsMatching(p.t, buyer.email, 'subscription has started');
      return found.length > 0 ? found : undefined;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Next billing date');
  });

  it('should let a school admin buy 30 seats, then change to 40 through Stripe', async () => {
    const school = await createSchool(p.t);
    const admin = school.admin.tokens.access_token;
    const sessionId = await checkout(p.t, admin, schoolPlan.id, 30);
    const events = p.stripe.completeCheckout(sessionId);
    await deliverAndProcess(p.t, p.stripe, events);

    const bought = await call<SubscriptionView>(
      admin,
      'GET',
      `/tenants/${school.tenant}/subscription`,
    );
    expect(bought.body).toMatchObject({
      status: 'active',
      payer_type: 'tenant',
      tenant_id: school.tenant,
      quantity: 30,
      entitled: true,
    });

    const changed = await call<SubscriptionView>(
      admin,
      'PATCH',
      `/tenants/${school.tenant}/subscription`,
      { quantity: 40 },
    );
    expect(changed.status).toBe(200);
    expect(changed.body.quantity).toBe(40);
    const stripeSide = await p.stripe.client().subscriptions.retrieve(subscriptionOf(events));
    expect(stripeSide.items.data[0]?.quantity).toBe(40);
    // Stripe's customer.subscription.updated comes back and is applied without changing it.
    await p.stripe.deliveriesSettled();
    const [row] = await waitFor(async () => {
      const rows = await query<{ quantity: number }>(
        p.t.databaseUrl,
        `SELECT s.quantity FROM subscriptions s JOIN stripe_events e
           ON e.payload -> 'data' -> 'object' ->> 'id' = s.stripe_subscription_id
         WHERE s.stripe_subscription_id = $1 AND e.type = 'customer.subscription.updated'
           AND e.processed_at IS NOT NULL`,
        [subscriptionOf(events)],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(row?.quantity).toBe(40);

    const changes = await query<{ payload: { quantity: number; seat_based: boolean } }>(
      p.t.databaseUrl,
      `SELECT payload FROM outbox_events WHERE type = 'subscription.changed'
       AND payload ->> 'tenant_id' = $1 ORDER BY occurred_at`,
      [school.tenant],
    );
    expect(changes.map((change) => change.payload.quantity)).toEqual([30, 40]);
    expect(changes[0]?.payload.seat_based).toBe(true);
  });

  it("should let a school's live plan set max_users and features over the market's", async () => {
    const school = await createSchool(p.t);
    // The Service Market sold them 5 members (they have 5) and no API integration.
    await query(
      p.t.databaseUrl,
      `UPDATE tenants SET settings = '{"max_users": 5, "features": {"api_integration": false}}'
       WHERE id = $1`,
      [school.tenant],
    );
    const admin = school.admin.tokens.access_token;
    const addPupil = () =>
      call(admin, 'POST', '/users', {
        username: `pupil.${Math.random().toString(36).slice(2, 10)}`,
        full_name: 'New Pupil',
        role: 'student',
      });
    // Written behind the app's back: cached settings (5 s) may still show what was before.
    await waitFor(async () => (await addPupil()).status === 409);
    const refused = await waitFor(async () => {
      const response = await call(admin, 'GET', '/api-keys');
      return response.status === 403 ? response : undefined;
    });
    expect(refused.body).toMatchObject({ error_code: 'TENANT_FEATURE_DISABLED' });

    const plan = await createPlan(p.t, superAdmin.access_token, {
      audience: 'school',
      features: { max_users: 500, features: { api_integration: true } },
    });
    const sessionId = await checkout(p.t, admin, plan.id);
    await deliverAndProcess(p.t, p.stripe, p.stripe.completeCheckout(sessionId));
    expect((await addPupil()).status).toBe(201);
    expect((await call(admin, 'GET', '/api-keys')).status).toBe(200);
  });
});
