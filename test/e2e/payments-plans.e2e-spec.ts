import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createUser, login, type Tokens } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
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

interface Answer {
  error_code?: string;
  message?: string;
  details?: Record<string, unknown> | null;
  [key: string]: unknown;
}
type PlanAnswer = PlanView & Answer;

const ENVELOPE_KEYS = ['details', 'error_code', 'message', 'request_id', 'timestamp'];

const VALID_PLAN = {
  name: 'Valid',
  unit_amount: 990,
  currency: 'usd',
  interval: 'month',
  audience: 'individual',
};

describe('payments: plans and their Stripe prices', () => {
  let p: PaymentsApp;
  let superAdmin: Tokens;

  const api = (path: string) => `${p.t.baseUrl}/api/v1${path}`;
  const call = <T = Answer>(method: string, path: string, json?: unknown, token?: string) =>
    requestJson<T>(api(path), {
      method,
      headers: bearer(token ?? superAdmin.access_token),
      json,
    });
  const planCount = async () => {
    const [row] = await query<{ count: string }>(
      p.t.databaseUrl,
      `SELECT count(*) AS count FROM subscription_plans`,
    );
    return Number(row?.count);
  };
  const appRequests = (from: number, method: string, path: string) =>
    p.stripe.requests
      .slice(from)
      .filter((request) => request.method === method && request.path === path);
  /** A product and a recurring price made straight in Stripe, as a dashboard user would. */
  const stripePrice = async (terms: {
    unit_amount: number;
    currency: string;
    interval: 'month' | 'year';
  }) => {
    const stripe = p.stripe.client();
    const product = await stripe.products.create({ name: 'Made in the dashboard' });
    return stripe.prices.create({
      product: product.id,
      unit_amount: terms.unit_amount,
      currency: terms.currency,
      recurring: { interval: terms.interval },
    });
  };

  beforeAll(async () => {
    p = await startPaymentsApp();
    superAdmin = await login(p.t, await createUser(p.t, { superAdmin: true }));
  });

  afterAll(async () => {
    await p.close();
  });

  describe('POST /admin/plans bad input', () => {
    it.each([
      ['a float unit_amount', { unit_amount: 9.99 }],
      ['a negative unit_amount', { unit_amount: -1 }],
      ['unit_amount above 99999999', { unit_amount: 100_000_000 }],
      ['unit_amount as a string', { unit_amount: '990' }],
      ['currency dollars', { currency: 'dollars' }],
      ['currency us', { currency: 'us' }],
      ['interval week', { interval: 'week' }],
      ['audience class', { audience: 'class' }],
      ['no audience', { audience: undefined }],
      ['an empty name', { name: '   ' }],
      ['a name of 101 characters', { name: 'x'.repeat(101) }],
      ['trial_days 731', { trial_days: 731 }],
      ['an unknown features key', { features: { storage_gb: 10 } }],
      ['an unknown school feature', { features: { features: { teleport: true } } }],
      ['api_requests_per_hour 0', { features: { api_requests_per_hour: 0 } }],
      ['a malformed stripe_price_id', { stripe_price_id: 'prod_123' }],
      ['an unknown field', { stripe_product_id: 'prod_123' }],
      ['seats for an individual plan', { seat_based: true, audience: 'individual' }],
    ])('should refuse %s (400) and write nothing here or in Stripe', async (_what, overrides) => {
      const plans = await planCount();
      const before = p.stripe.requests.length;
      const response = await call('POST', '/admin/plans', { ...VALID_PLAN, ...overrides });
      expect([response.status, response.body.error_code]).toEqual([
        400,
        'COMMON_VALIDATION_FAILED',
      ]);
      expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
      expect(response.body.details).toMatchObject({ fields: [expect.anything()] });
      expect(p.stripe.requests.length).toBe(before);
      expect(await planCount()).toBe(plans);
    });

    it('should name the fields at fault', async () => {
      const response = await call('POST', '/admin/plans', {
        ...VALID_PLAN,
        unit_amount: 9.99,
        interval: 'week',
      });
      const fields = (response.body.details?.fields as Array<{ field: string }>).map(
        (entry) => entry.field,
      );
      expect(fields.sort()).toEqual(['interval', 'unit_amount']);
    });

    it('should keep seats for school plans: seat_based with audience individual names seat_based', async () => {
      const individual = await call('POST', '/admin/plans', { ...VALID_PLAN, seat_based: true });
      expect(individual.body.details).toMatchObject({
        fields: [{ field: 'seat_based', errors: [expect.stringContaining('school plans')] }],
      });
      const school = await call<PlanAnswer>('POST', '/admin/plans', {
        ...VALID_PLAN,
        audience: 'school',
        seat_based: true,
      });
      expect(school.status).toBe(201);
      expect(school.body).toMatchObject({ audience: 'school', seat_based: true });
    });

    it('should refuse a PATCH with a float amount or of a malformed id (400), and an unknown plan (404)', async () => {
      const plan = await createPlan(p.t, superAdmin.access_token);
      const before = p.stripe.requests.length;
      const float = await call('PATCH', `/admin/plans/${plan.id}`, { unit_amount: 9.99 });
      expect([float.status, float.body.error_code]).toEqual([400, 'COMMON_VALIDATION_FAILED']);
      const malformed = await call('PATCH', '/admin/plans/premium', { name: 'x' });
      expect([malformed.status, malformed.body.error_code]).toEqual([
        400,
        'COMMON_VALIDATION_FAILED',
      ]);
      const unknown = await call('PATCH', `/admin/plans/${randomUUID()}`, { name: 'x' });
      expect([unknown.status, unknown.body.error_code]).toEqual([404, 'PAYMENTS_PLAN_NOT_FOUND']);
      const read = await call('GET', `/admin/plans/${randomUUID()}`);
      expect([read.status, read.body.error_code]).toEqual([404, 'PAYMENTS_PLAN_NOT_FOUND']);
      expect(p.stripe.requests.length).toBe(before);
    });
  });

  describe('POST /admin/plans', () => {
    it('should make a Stripe Product and a recurring Price, and record the price', async () => {
      const before = p.stripe.requests.length;
      const plan = await createPlan(p.t, superAdmin.access_token, {
        name: 'Yearly',
        description: 'A whole year',
        unit_amount: 9900,
        currency: 'EUR',
        interval: 'year',
      });
      expect(plan).toMatchObject({ currency: 'eur', interval: 'year', is_active: true });
      expect(appRequests(before, 'POST', '/v1/products')).toHaveLength(1);
      expect(appRequests(before, 'POST', '/v1/prices')).toHaveLength(1);
      const stripe = p.stripe.client();
      const product = await stripe.products.retrieve(plan.stripe_product_id);
      expect(product).toMatchObject({
        name: 'Yearly',
        description: 'A whole year',
        metadata: { plan_id: plan.id },
      });
      const price = await stripe.prices.retrieve(plan.stripe_price_id);
      expect(price).toMatchObject({
        product: plan.stripe_product_id,
        unit_amount: 9900,
        currency: 'eur',
        active: true,
        recurring: { interval: 'year', interval_count: 1 },
        metadata: { plan_id: plan.id },
      });
      const prices = await query(
        p.t.databaseUrl,
        `SELECT stripe_price_id, unit_amount, currency, interval, archived_at FROM plan_prices
         WHERE plan_id = $1`,
        [plan.id],
      );
      expect(prices).toEqual([
        {
          stripe_price_id: plan.stripe_price_id,
          unit_amount: 9900,
          currency: 'eur',
          interval: 'year',
          archived_at: null,
        },
      ]);
    });

    it('should adopt an existing Stripe price that agrees, without making another', async () => {
      const price = await stripePrice({ unit_amount: 1500, currency: 'usd', interval: 'month' });
      const before = p.stripe.requests.length;
      const response = await call<PlanAnswer>('POST', '/admin/plans', {
        ...VALID_PLAN,
        name: 'Adopted',
        unit_amount: 1500,
        stripe_price_id: price.id,
      });
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        stripe_price_id: price.id,
        stripe_product_id: price.product,
        unit_amount: 1500,
      });
      expect(appRequests(before, 'POST', '/v1/products')).toEqual([]);
      expect(appRequests(before, 'POST', '/v1/prices')).toEqual([]);
      expect(appRequests(before, 'GET', `/v1/prices/${price.id}`)).toHaveLength(1);

      const plans = await planCount();
      const twice = await call('POST', '/admin/plans', {
        ...VALID_PLAN,
        name: 'Adopted again',
        unit_amount: 1500,
        stripe_price_id: price.id,
      });
      expect([twice.status, twice.body.error_code]).toEqual([409, 'COMMON_CONFLICT']);
      expect(await planCount()).toBe(plans);
    });

    it('should adopt one price once when it is sent three times at once (one 201, the others 409)', async () => {
      const price = await stripePrice({ unit_amount: 700, currency: 'usd', interval: 'month' });
      const plans = await planCount();
      const adopt = (name: string) =>
        call('POST', '/admin/plans', {
          ...VALID_PLAN,
          name,
          unit_amount: 700,
          stripe_price_id: price.id,
        });
      const answers = await Promise.all([adopt('First'), adopt('Second'), adopt('Third')]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409]);
      expect(
        answers.filter((answer) => answer.status === 409).map((a) => a.body.error_code),
      ).toEqual(['COMMON_CONFLICT', 'COMMON_CONFLICT']);
      expect(await planCount()).toBe(plans + 1);
    });

    it.each([
      ['amount', { unit_amount: 1600 }, { unit_amount: 1600 }, { unit_amount: 1500 }],
      ['currency', { currency: 'eur' }, { currency: 'eur' }, { currency: 'usd' }],
      ['interval', { interval: 'year' }, { interval: 'year' }, { interval: 'month' }],
    ])(
      'should refuse to adopt a Stripe price of another %s (409 with what differs)',
      async (_what, overrides, expected, found) => {
        const price = await stripePrice({ unit_amount: 1500, currency: 'usd', interval: 'month' });
        const plans = await planCount();
        const response = await call('POST', '/admin/plans', {
          ...VALID_PLAN,
          unit_amount: 1500,
          ...overrides,
          stripe_price_id: price.id,
        });
        expect([response.status, response.body.error_code]).toEqual([
          409,
          'PAYMENTS_STRIPE_PRICE_MISMATCH',
        ]);
        expect(response.body.details).toEqual({
          expected: expect.objectContaining({ interval_count: 1, ...expected }),
          found: expect.objectContaining({ interval_count: 1, ...found }),
        });
        expect(await planCount()).toBe(plans);
      },
    );

    it('should refuse a price id Stripe does not know, or an archived one (400)', async () => {
      const plans = await planCount();
      const unknown = await call('POST', '/admin/plans', {
        ...VALID_PLAN,
        stripe_price_id: 'price_doesnotexist',
      });
      expect([unknown.status, unknown.body.error_code]).toEqual([
        400,
        'PAYMENTS_STRIPE_PRICE_UNKNOWN',
      ]);
      expect(unknown.body.details).toEqual({ stripe_price_id: 'price_doesnotexist' });

      const archived = await stripePrice({ unit_amount: 990, currency: 'usd', interval: 'month' });
      await p.stripe.client().prices.update(archived.id, { active: false });
      const inactive = await call('POST', '/admin/plans', {
        ...VALID_PLAN,
        stripe_price_id: archived.id,
      });
      expect([inactive.status, inactive.body.error_code]).toEqual([
        400,
        'PAYMENTS_STRIPE_PRICE_UNKNOWN',
      ]);
      expect(await planCount()).toBe(plans);
    });

    it('should answer 502 PAYMENTS_STRIPE_UNAVAILABLE and keep no plan while Stripe fails', async () => {
      const name = `Down ${randomUUID()}`;
      const plans = await planCount();
      // The first try and the SDK's 2 retries.
      p.stripe.failNext(3, { status: 500, method: 'POST', path: /^\/v1\/products$/ });
      const noProduct = await call('POST', '/admin/plans', { ...VALID_PLAN, name });
      expect([noProduct.status, noProduct.body.error_code]).toEqual([
        502,
        'PAYMENTS_STRIPE_UNAVAILABLE',
      ]);
      expect(Object.keys(noProduct.body).sort()).toEqual(ENVELOPE_KEYS);

      p.stripe.failNext(3, { status: 503, method: 'POST', path: /^\/v1\/prices$/ });
      const noPrice = await call('POST', '/admin/plans', { ...VALID_PLAN, name });
      expect([noPrice.status, noPrice.body.error_code]).toEqual([
        502,
        'PAYMENTS_STRIPE_UNAVAILABLE',
      ]);
      expect(await planCount()).toBe(plans);
      const named = await query(
        p.t.databaseUrl,
        `SELECT id FROM subscription_plans WHERE name = $1`,
        [name],
      );
      expect(named).toEqual([]);

      // Every armed failure was used: the next plan is made.
      const after = await createPlan(p.t, superAdmin.access_token, { name });
      expect(after.name).toBe(name);
    });
  });

  describe('PATCH /admin/plans/:id', () => {
    it('should reprice with a new Stripe price, archive the old one, and let a subscriber keep it', async () => {
      const plan = await createPlan(p.t, superAdmin.access_token, {
        unit_amount: 990,
        features: { api_requests_per_hour: 2000 },
      });
      const buyer = await login(p.t, await createUser(p.t));
      const events = p.stripe.completeCheckout(await checkout(p.t, buyer.access_token, plan.id));
      await deliverAndProcess(p.t, p.stripe, events);

      const repriced = await call<PlanAnswer>('PATCH', `/admin/plans/${plan.id}`, {
        unit_amount: 1290,
      });
      expect(repriced.status).toBe(200);
      expect(repriced.body).toMatchObject({
        unit_amount: 1290,
        stripe_product_id: plan.stripe_product_id,
      });
      const newPrice = repriced.body.stripe_price_id;
      expect(newPrice).not.toBe(plan.stripe_price_id);
      const stripe = p.stripe.client();
      expect(await stripe.prices.retrieve(newPrice)).toMatchObject({
        active: true,
        unit_amount: 1290,
        product: plan.stripe_product_id,
      });
      expect((await stripe.prices.retrieve(plan.stripe_price_id)).active).toBe(false);
      const prices = await query<{
        stripe_price_id: string;
        unit_amount: number;
        archived: boolean;
      }>(
        p.t.databaseUrl,
        `SELECT stripe_price_id, unit_amount, archived_at IS NOT NULL AS archived FROM plan_prices
         WHERE plan_id = $1 ORDER BY unit_amount`,
        [plan.id],
      );
      expect(prices).toEqual([
        { stripe_price_id: plan.stripe_price_id, unit_amount: 990, archived: true },
        { stripe_price_id: newPrice, unit_amount: 1290, archived: false },
      ]);

      // The subscriber renews at the price they bought, still on the plan and entitled.
      const subscription = subscriptionOf(events);
      await deliverAndProcess(p.t, p.stripe, p.stripe.renew(subscription, { paid: true }));
      expect(await subscriptionRow(p.t, subscription)).toMatchObject({
        stripe_price_id: plan.stripe_price_id,
        plan_id: plan.id,
        status: 'active',
      });
      const amounts = await query<{ amount: string }>(
        p.t.databaseUrl,
        `SELECT t.amount FROM payment_transactions t JOIN subscriptions s ON s.id = t.subscription_id
         WHERE s.stripe_subscription_id = $1 ORDER BY t.created_at`,
        [subscription],
      );
      expect(amounts).toEqual([{ amount: '990' }, { amount: '990' }]);
      const mine = await requestJson(api('/subscriptions/me'), {
        headers: bearer(buyer.access_token),
      });
      expect(mine.body).toMatchObject({ plan_id: plan.id, entitled: true });
      expect(mine.headers.get('x-ratelimit-limit-authenticated')).toBe('2000');
    });

    it('should rename without a new price, and rename the Stripe product', async () => {
      const plan = await createPlan(p.t, superAdmin.access_token);
      const before = p.stripe.requests.length;
      const renamed = await call<PlanAnswer>('PATCH', `/admin/plans/${plan.id}`, {
        name: 'Renamed',
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({
        name: 'Renamed',
        stripe_price_id: plan.stripe_price_id,
        unit_amount: plan.unit_amount,
      });
      expect(appRequests(before, 'POST', '/v1/prices')).toEqual([]);
      expect(
        p.stripe.requests.slice(before).filter((request) => request.path.startsWith('/v1/prices')),
      ).toEqual([]);
      expect((await p.stripe.client().products.retrieve(plan.stripe_product_id)).name).toBe(
        'Renamed',
      );
      expect((await p.stripe.client().prices.retrieve(plan.stripe_price_id)).active).toBe(true);
    });
  });

  describe('GET /plans', () => {
    it('should show the plans on sale to anyone, without Stripe ids, and hide a plan taken off sale', async () => {
      const plan = await createPlan(p.t, superAdmin.access_token, { name: 'On sale' });
      const list = async () => {
        const response = await requestJson<Array<Record<string, unknown>>>(api('/plans'));
        expect(response.status).toBe(200);
        return response.body;
      };
      const shown = (await list()).find((entry) => entry.id === plan.id);
      expect(Object.keys(shown ?? {}).sort()).toEqual([
        'audience',
        'currency',
        'description',
        'features',
        'id',
        'interval',
        'name',
        'seat_based',
        'trial_days',
        'unit_amount',
      ]);
      expect(JSON.stringify(await list())).not.toMatch(/price_|prod_/);

      const off = await call<PlanAnswer>('PATCH', `/admin/plans/${plan.id}`, { is_active: false });
      expect(off.body.is_active).toBe(false);
      expect((await list()).map((entry) => entry.id)).not.toContain(plan.id);
      const admin = await call<PlanAnswer[]>('GET', '/admin/plans');
      expect(admin.body.find((entry) => entry.id === plan.id)).toMatchObject({
        is_active: false,
        stripe_price_id: plan.stripe_price_id,
      });
    });
  });
});
