import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Stripe from 'stripe';
import { FakeStripe, type FakeEvent } from '../support/fake-stripe/index.js';

const DAY = 24 * 60 * 60;
const WEBHOOK_SECRET = 'whsec_fake_test_secret';

interface ReceivedWebhook {
  raw: string;
  signature: string;
}

/** A stand-in for the app's webhook route: keeps what arrives and answers `status`. */
class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  status = 200;
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.received.push({
        raw: Buffer.concat(chunks).toString('utf8'),
        signature: String(request.headers['stripe-signature']),
      });
      response.writeHead(this.status).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/stripe`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The id of an expandable field, which the SDK types as an id or the object. */
function idOf(field: string | { id?: string } | null | undefined): string {
  const id = typeof field === 'string' ? field : field?.id;
  if (id === undefined) {
    throw new Error('expected an id');
  }
  return id;
}

async function caught(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected the Stripe call to fail');
}

describe('FakeStripe through the real stripe SDK', () => {
  let nowMs = Date.UTC(2026, 10, 1, 12, 0, 0);
  const nowSeconds = () => Math.floor(nowMs / 1000);
  let fake: FakeStripe;
  let stripe: Stripe;
  const receiver = new WebhookReceiver();
  let webhookUrl: string;

  beforeAll(async () => {
    fake = await FakeStripe.start({ now: () => nowMs });
    stripe = fake.client();
    webhookUrl = await receiver.start();
  });

  afterAll(async () => {
    await fake.close();
    await receiver.stop();
  });

  beforeEach(() => {
    fake.webhook = undefined;
    fake.autoDeliver = false;
    receiver.status = 200;
  });

  async function monthlyPrice(unitAmount = 900) {
    const product = await stripe.products.create({ name: 'DreamSeed School' });
    return stripe.prices.create({
      product: product.id,
      unit_amount: unitAmount,
      currency: 'eur',
      recurring: { interval: 'month' },
    });
  }

  async function checkout(
    price: Stripe.Price,
    extra: Partial<Stripe.Checkout.SessionCreateParams> = {},
  ) {
    const customer = await stripe.customers.create({ email: 'billing@school.test' });
    return stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 3 }],
      success_url: 'https://app.test/billing/done?session={CHECKOUT_SESSION_ID}',
      cancel_url: 'https://app.test/billing',
      metadata: { tenant_id: 'tenant-1' },
      subscription_data: { metadata: { tenant_id: 'tenant-1' } },
      ...extra,
    });
  }

  async function subscribed(extra: Partial<Stripe.Checkout.SessionCreateParams> = {}) {
    const price = await monthlyPrice();
    const session = await checkout(price, extra);
    const events = fake.completeCheckout(session.id);
    const completed = await stripe.checkout.sessions.retrieve(session.id);
    const subscription = await stripe.subscriptions.retrieve(idOf(completed.subscription));
    return { price, session: completed, subscription, events };
  }

  describe('authentication and errors', () => {
    it('should refuse a request made with another secret key', async () => {
      const stranger = new Stripe('sk_test_someone_else', fake.clientOptions());

      const error = await caught(stranger.products.create({ name: 'x' }));

      expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
      expect(error.statusCode).toBe(401);
    });

    it('should answer an unknown subscription with resource_missing', async () => {
      const error = await caught(stripe.subscriptions.retrieve('sub_missing'));

      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error.statusCode).toBe(404);
      expect(error.code).toBe('resource_missing');
      expect(error.param).toBe('id');
      expect(error.message).toBe("No such subscription: 'sub_missing'");
    });

    it.each([
      [
        'a product without a name',
        () => stripe.products.create({} as Stripe.ProductCreateParams),
        'parameter_missing',
        'name',
      ],
      [
        'a price with a non-integer amount',
        async () =>
          stripe.prices.create({
            product: (await stripe.products.create({ name: 'p' })).id,
            unit_amount: 'nine' as unknown as number,
            currency: 'eur',
            recurring: { interval: 'month' },
          }),
        'parameter_invalid_integer',
        'unit_amount',
      ],
      [
        'a checkout naming both a customer and an email',
        async () =>
          stripe.checkout.sessions.create({
            mode: 'subscription',
            customer: (await stripe.customers.create({})).id,
            customer_email: 'x@school.test',
            line_items: [{ price: (await monthlyPrice()).id, quantity: 1 }],
            success_url: 'https://app.test/done',
            cancel_url: 'https://app.test/billing',
          }),
        undefined,
        'customer_email',
      ],
      [
        'an unknown parameter',
        () => stripe.customers.create({ phone: '+33100000000' }),
        'parameter_unknown',
        'phone',
      ],
    ])('should refuse %s', async (_case, call, code, param) => {
      const error = await caught(call());

      expect(error.statusCode).toBe(400);
      expect(error.code).toBe(code);
      expect(error.param).toBe(param);
    });
  });

  describe('catalog and customers', () => {
    it('should keep a product and a recurring price', async () => {
      const price = await monthlyPrice(1200);

      const stored = await stripe.prices.retrieve(price.id);

      expect(stored).toMatchObject({
        object: 'price',
        active: true,
        currency: 'eur',
        unit_amount: 1200,
        type: 'recurring',
        recurring: { interval: 'month', interval_count: 1 },
        livemode: false,
      });
      expect(stored.id).toMatch(/^price_[0-9A-Za-z]+$/);
      expect(idOf(stored.product)).toMatch(/^prod_/);
    });

    it('should refuse to change the amount of a price but let it be archived', async () => {
      const price = await monthlyPrice();

      const error = await caught(
        stripe.prices.update(price.id, { unit_amount: 100 } as Stripe.PriceUpdateParams),
      );
      const archived = await stripe.prices.update(price.id, {
        active: false,
        metadata: { plan: 'old' },
      });

      expect(error.statusCode).toBe(400);
      expect((await stripe.prices.retrieve(price.id)).unit_amount).toBe(900);
      expect(archived).toMatchObject({ active: false, metadata: { plan: 'old' } });
    });

    it('should update a customer and unset a metadata key sent empty', async () => {
      const customer = await stripe.customers.create({
        email: 'a@school.test',
        metadata: { tenant_id: 't1', note: 'x' },
      });

      await stripe.customers.update(customer.id, { name: 'School A', metadata: { note: '' } });

      expect(await stripe.customers.retrieve(customer.id)).toMatchObject({
        email: 'a@school.test',
        name: 'School A',
        metadata: { tenant_id: 't1' },
      });
    });

    it('should open a billing portal only for a known customer', async () => {
      const customer = await stripe.customers.create({ email: 'p@school.test' });

      const portal = await stripe.billingPortal.sessions.create({
        customer: customer.id,
        return_url: 'https://app.test/billing',
      });
      const error = await caught(stripe.billingPortal.sessions.create({ customer: 'cus_nobody' }));

      expect(portal.url).toBe(`http://127.0.0.1:${fake.port}/portal/${portal.id}`);
      expect(portal.id).toMatch(/^bps_/);
      expect(error.code).toBe('resource_missing');
    });
  });

  describe('checkout sessions', () => {
    it('should replay a create sent twice with one idempotency key', async () => {
      const price = await monthlyPrice();
      const customer = await stripe.customers.create({ email: 'idem@school.test' });
      const params: Stripe.Checkout.SessionCreateParams = {
        mode: 'subscription',
        customer: customer.id,
        line_items: [{ price: price.id, quantity: 2 }],
        success_url: 'https://app.test/done?session={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://app.test/billing',
      };

      const first = await stripe.checkout.sessions.create(params, { idempotencyKey: 'checkout-1' });
      const again = await stripe.checkout.sessions.create(params, { idempotencyKey: 'checkout-1' });
      const stored = await stripe.checkout.sessions.list({ customer: customer.id });

      expect(again.id).toBe(first.id);
      expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');
      expect(stored.data.map((session) => session.id)).toEqual([first.id]);
      expect(first).toMatchObject({
        object: 'checkout.session',
        status: 'open',
        payment_status: 'unpaid',
        subscription: null,
        amount_total: 1800,
        success_url: 'https://app.test/done?session={CHECKOUT_SESSION_ID}',
        url: `http://127.0.0.1:${fake.port}/checkout/${first.id}`,
      });
    });

    it('should refuse one idempotency key reused for another body', async () => {
      const price = await monthlyPrice();
      const create = (quantity: number) =>
        stripe.checkout.sessions.create(
          {
            mode: 'subscription',
            line_items: [{ price: price.id, quantity }],
            success_url: 'https://app.test/done',
            cancel_url: 'https://app.test/billing',
          },
          { idempotencyKey: 'checkout-reused' },
        );
      await create(1);

      const error = await caught(create(2));

      expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
      expect(fake.requests.filter((r) => r.idempotencyKey === 'checkout-reused')).toHaveLength(2);
    });

    it('should refuse an archived price', async () => {
      const price = await monthlyPrice();
      await stripe.prices.update(price.id, { active: false });

      const error = await caught(checkout(price));

      expect(error.statusCode).toBe(400);
      expect(error.param).toBe('line_items[0][price]');
    });
  });

  describe('completing a checkout', () => {
    it('should start a paid subscription with its invoice, charge and events in Stripe order', async () => {
      const { session, subscription, events } = await subscribed();

      expect(events.map((event) => event.type)).toEqual([
        'customer.subscription.created',
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice.payment_succeeded',
        'checkout.session.completed',
      ]);
      expect(session).toMatchObject({ status: 'complete', payment_status: 'paid' });
      expect(subscription).toMatchObject({
        status: 'active',
        customer: session.customer,
        metadata: { tenant_id: 'tenant-1' },
        cancel_at_period_end: false,
      });
      const [item] = subscription.items.data;
      expect(item).toMatchObject({
        object: 'subscription_item',
        quantity: 3,
        current_period_start: nowSeconds(),
        current_period_end: nowSeconds() + 30 * DAY,
        subscription: subscription.id,
      });
      expect(item.price.unit_amount).toBe(900);

      const invoices = await stripe.invoices.list({ customer: idOf(session.customer) });
      expect(invoices.data).toHaveLength(1);
      const [invoice] = invoices.data;
      expect(invoice).toMatchObject({
        status: 'paid',
        amount_due: 2700,
        amount_paid: 2700,
        billing_reason: 'subscription_create',
        parent: {
          type: 'subscription_details',
          subscription_details: { subscription: subscription.id },
        },
      });
      expect(subscription.latest_invoice).toBe(invoice.id);
      const payment = invoice.payments?.data[0]?.payment;
      expect(payment?.type).toBe('payment_intent');
      const charges = await stripe.charges.list({
        payment_intent: idOf(payment?.payment_intent),
      });
      expect(charges.data[0]).toMatchObject({ amount: 2700, status: 'succeeded', refunded: false });
    });

    it('should start a trial without charging', async () => {
      const { session, subscription } = await subscribed({
        subscription_data: { trial_period_days: 14 },
      });

      expect(session.payment_status).toBe('no_payment_required');
      expect(subscription).toMatchObject({
        status: 'trialing',
        trial_start: nowSeconds(),
        trial_end: nowSeconds() + 14 * DAY,
      });
      const [invoice] = (await stripe.invoices.list({ subscription: subscription.id })).data;
      expect(invoice).toMatchObject({ amount_due: 0, status: 'paid' });
    });

    it('should leave an unpaid checkout incomplete with an open invoice', async () => {
      const session = await checkout(await monthlyPrice());

      const events = fake.completeCheckout(session.id, { paid: false });

      expect(events.map((event) => event.type)).toContain('invoice.payment_failed');
      expect(events.map((event) => event.type)).not.toContain('invoice.paid');
      const subscriptionId = idOf(
        (await stripe.checkout.sessions.retrieve(session.id)).subscription,
      );
      expect((await stripe.subscriptions.retrieve(subscriptionId)).status).toBe('incomplete');
      const [invoice] = (await stripe.invoices.list({ subscription: subscriptionId })).data;
      expect(invoice.status).toBe('open');
    });
  });

  describe('reading what checkout made', () => {
    it('should expand the latest invoice and the customer on request', async () => {
      const { subscription } = await subscribed();

      const read = await stripe.subscriptions.retrieve(subscription.id, {
        expand: ['latest_invoice', 'customer'],
      });
      const error = await caught(
        stripe.subscriptions.retrieve(subscription.id, { expand: ['start_date'] }),
      );

      expect((read.latest_invoice as Stripe.Invoice).object).toBe('invoice');
      expect((read.customer as Stripe.Customer).email).toBe('billing@school.test');
      expect(error.param).toBe('expand');
    });

    it('should page through the invoices of a subscription newest first', async () => {
      const { subscription } = await subscribed();
      fake.renew(subscription.id, { paid: true });
      fake.renew(subscription.id, { paid: true });

      const first = await stripe.invoices.list({ subscription: subscription.id, limit: 2 });
      const rest = await stripe.invoices.list({
        subscription: subscription.id,
        limit: 2,
        starting_after: first.data[1].id,
      });

      expect(first.has_more).toBe(true);
      expect(rest.has_more).toBe(false);
      expect([...first.data, ...rest.data].map((invoice) => invoice.billing_reason)).toEqual([
        'subscription_cycle',
        'subscription_cycle',
        'subscription_create',
      ]);
    });

    it('should serve the hosted checkout page it links to', async () => {
      const session = await checkout(await monthlyPrice());

      const page = await fetch(String(session.url));

      expect(page.status).toBe(200);
      expect(await page.text()).toContain(session.id);
    });
  });

  describe('changing a subscription through the API', () => {
    it('should change the seat count and record the update with what it was before', async () => {
      const { subscription } = await subscribed();
      const [item] = subscription.items.data;

      const updated = await stripe.subscriptions.update(
        subscription.id,
        { items: [{ id: item.id, quantity: 5 }], proration_behavior: 'create_prorations' },
        { idempotencyKey: 'seats-5' },
      );

      expect(updated.items.data[0].quantity).toBe(5);
      const listed = await stripe.events.list({ type: 'customer.subscription.updated', limit: 1 });
      const [event] = listed.data;
      expect(event.request).toEqual({
        id: expect.stringMatching(/^req_/),
        idempotency_key: 'seats-5',
      });
      const snapshot = event.data.object as Stripe.Subscription;
      expect(snapshot.id).toBe(subscription.id);
      expect(snapshot.items.data[0].quantity).toBe(5);
      const before = event.data.previous_attributes as {
        items: Stripe.ApiList<Stripe.SubscriptionItem>;
      };
      expect(before.items.data[0].quantity).toBe(3);
    });

    it('should move to another price', async () => {
      const { subscription } = await subscribed();
      const yearly = await stripe.prices.create({
        product: idOf(subscription.items.data[0].price.product),
        unit_amount: 9000,
        currency: 'eur',
        recurring: { interval: 'year' },
      });

      const updated = await stripe.subscriptions.update(subscription.id, {
        items: [{ id: subscription.items.data[0].id, price: yearly.id }],
      });

      expect(updated.items.data[0].price.id).toBe(yearly.id);
      expect(updated.items.data[0].quantity).toBe(3);
    });

    it('should cancel at period end, then end when the period runs out', async () => {
      const { subscription } = await subscribed();

      await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
      const events = fake.endPeriod(subscription.id);

      expect(events.map((event) => event.type)).toEqual(['customer.subscription.deleted']);
      expect(await stripe.subscriptions.retrieve(subscription.id)).toMatchObject({
        status: 'canceled',
        canceled_at: nowSeconds(),
        ended_at: nowSeconds(),
      });
    });

    it('should cancel now on delete and then list it only with status all', async () => {
      const { subscription } = await subscribed();

      const canceled = await stripe.subscriptions.cancel(subscription.id);
      const customer = idOf(subscription.customer);

      expect(canceled.status).toBe('canceled');
      expect(fake.events.at(-1)?.type).toBe('customer.subscription.deleted');
      expect((await stripe.subscriptions.list({ customer })).data).toHaveLength(0);
      expect((await stripe.subscriptions.list({ customer, status: 'all' })).data).toHaveLength(1);
    });

    it('should deliver the update it records to the configured webhook', async () => {
      const { subscription } = await subscribed();
      fake.webhook = { url: webhookUrl, secret: WEBHOOK_SECRET };
      const before = receiver.received.length;

      await stripe.subscriptions.update(subscription.id, { metadata: { plan: 'gold' } });
      await fake.deliveriesSettled();

      const delivered = receiver.received
        .slice(before)
        .map((hook) => JSON.parse(hook.raw) as FakeEvent);
      expect(delivered.map((event) => event.type)).toEqual(['customer.subscription.updated']);
    });
  });

  describe('billing over time', () => {
    it('should renew paid: the period moves and a cycle invoice is paid', async () => {
      const { subscription } = await subscribed();
      const periodEnd = subscription.items.data[0].current_period_end;
      nowMs = periodEnd * 1000;

      const events = fake.renew(subscription.id, { paid: true });

      expect(events.map((event) => event.type)).toEqual([
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice.payment_succeeded',
        'customer.subscription.updated',
      ]);
      const renewed = await stripe.subscriptions.retrieve(subscription.id);
      expect(renewed.items.data[0]).toMatchObject({
        current_period_start: periodEnd,
        current_period_end: periodEnd + 30 * DAY,
      });
      const latest = await stripe.invoices.retrieve(idOf(renewed.latest_invoice));
      expect(latest).toMatchObject({ billing_reason: 'subscription_cycle', status: 'paid' });
    });

    it('should move the period end with a trial end', async () => {
      const { subscription } = await subscribed({ subscription_data: { trial_period_days: 14 } });
      const trialEnd = nowSeconds() + 3 * DAY;

      const [event] = fake.updateSubscription(subscription.id, { trial_end: trialEnd });

      expect(event.data.previous_attributes).toMatchObject({ trial_end: nowSeconds() + 14 * DAY });
      const read = await stripe.subscriptions.retrieve(subscription.id);
      expect(read.trial_end).toBe(trialEnd);
      expect(read.items.data[0].current_period_end).toBe(trialEnd);
    });

    it('should go past due when a renewal is not paid', async () => {
      const { subscription } = await subscribed();

      const events = fake.renew(subscription.id, { paid: false });

      expect(events.map((event) => event.type)).toEqual([
        'invoice.created',
        'invoice.finalized',
        'invoice.payment_failed',
        'customer.subscription.updated',
      ]);
      expect((await stripe.subscriptions.retrieve(subscription.id)).status).toBe('past_due');
      const update = events.at(-1);
      expect(update?.data.previous_attributes).toMatchObject({ status: 'active' });
    });

    it('should pause and resume, warn before a trial ends, and refund a charge', async () => {
      const trial = await subscribed({ subscription_data: { trial_period_days: 7 } });
      const paid = await subscribed();

      const warned = fake.trialWillEnd(trial.subscription.id);
      const paused = fake.pause(paid.subscription.id);
      const resumed = fake.resume(paid.subscription.id);
      const refunded = fake.refund(idOf(paid.subscription.latest_invoice));

      expect(warned.map((event) => event.type)).toEqual(['customer.subscription.trial_will_end']);
      expect(paused.map((event) => event.type)).toEqual([
        'customer.subscription.paused',
        'customer.subscription.updated',
      ]);
      expect(resumed.map((event) => event.type)).toEqual([
        'customer.subscription.resumed',
        'customer.subscription.updated',
      ]);
      const charge = refunded[0].data.object as Stripe.Charge;
      expect(await stripe.charges.retrieve(charge.id)).toMatchObject({
        refunded: true,
        amount_refunded: 2700,
      });
    });
  });

  describe('faults', () => {
    it.each([500, 429] as const)(
      'should let an SDK with retries through after two %i answers',
      async (status) => {
        const patient = new Stripe(fake.secretKey, {
          ...fake.clientOptions(),
          maxNetworkRetries: 2,
        });
        const name = `retried after ${status}`;
        fake.failNext(2, { status, path: /^\/v1\/products$/, method: 'POST' });

        const product = await patient.products.create({ name });

        const attempts = fake.requests.filter(
          (request) => request.path === '/v1/products' && request.body.name === name,
        );
        expect(product.name).toBe(name);
        expect(attempts).toHaveLength(3);
        expect(new Set(attempts.map((attempt) => attempt.idempotencyKey)).size).toBe(1);
      },
    );

    it.each([
      [500, Stripe.errors.StripeAPIError],
      [429, Stripe.errors.StripeRateLimitError],
    ] as const)('should fail an SDK without retries on %i', async (status, errorClass) => {
      fake.failNext(1, { status, path: /^\/v1\/customers$/ });

      const error = await caught(stripe.customers.create({ email: 'late@school.test' }));

      expect(error).toBeInstanceOf(errorClass);
      expect(error.statusCode).toBe(status);
      expect((await stripe.customers.create({ email: 'late@school.test' })).id).toMatch(/^cus_/);
    });
  });

  describe('webhooks', () => {
    it('should list an event as undelivered until the endpoint accepts it', async () => {
      const event = fake.event('dreamseed.unknown_type', { id: 'obj_1', object: 'thing' });
      const undelivered = () =>
        stripe.events
          .list({ delivery_success: false, created: { gte: event.created }, limit: 100 })
          .then((list) => list.data.map((listed) => listed.id));
      expect(await undelivered()).toContain(event.id);

      receiver.status = 500;
      expect((await fake.deliver(event, { url: webhookUrl, secret: WEBHOOK_SECRET })).status).toBe(
        500,
      );
      expect(await undelivered()).toContain(event.id);

      receiver.status = 200;
      expect((await fake.deliver(event, { url: webhookUrl, secret: WEBHOOK_SECRET })).status).toBe(
        200,
      );
      expect(await undelivered()).not.toContain(event.id);
      expect((await stripe.events.retrieve(event.id)).pending_webhooks).toBe(0);
    });

    it('should sign a delivery the SDK verifies, and refuse a stale or tampered one', async () => {
      const { events } = await subscribed();
      const completed = events.at(-1) as FakeEvent;
      fake.webhook = { url: webhookUrl, secret: WEBHOOK_SECRET };
      const at = receiver.received.length;
      // The SDK takes the receiving time in milliseconds, and 300 s of tolerance (0 would disable it).
      const verify = (hook: ReceivedWebhook) =>
        stripe.webhooks.constructEvent(
          hook.raw,
          hook.signature,
          WEBHOOK_SECRET,
          300,
          undefined,
          nowMs,
        );

      await fake.deliver(completed);
      await fake.deliver(completed, { timestamp: nowSeconds() - 3600 });
      await fake.deliver(completed, {
        payload: JSON.stringify({ ...completed, type: 'invoice.paid' }),
      });
      const [genuine, stale, tampered] = receiver.received.slice(at);

      const verified = verify(genuine);
      expect(verified.type).toBe('checkout.session.completed');
      expect(verified.id).toBe(completed.id);
      expect(() => verify(stale)).toThrow(Stripe.errors.StripeSignatureVerificationError);
      expect(() => verify(tampered)).toThrow(Stripe.errors.StripeSignatureVerificationError);
      expect(fake.signature(genuine.raw, { secret: WEBHOOK_SECRET, timestamp: nowSeconds() })).toBe(
        genuine.signature,
      );
    });

    it('should deliver every recorded event in order when asked to', async () => {
      fake.webhook = { url: webhookUrl, secret: WEBHOOK_SECRET };
      fake.autoDeliver = true;
      const at = receiver.received.length;

      const { events } = await subscribed();
      await fake.deliveriesSettled();

      const delivered = receiver.received
        .slice(at)
        .map((hook) => (JSON.parse(hook.raw) as FakeEvent).id);
      expect(delivered).toEqual(events.map((event) => event.id));
    });
  });
});
