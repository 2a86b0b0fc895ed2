import { invalidRequest, resourceMissing } from '../errors.js';
import { newId } from '../ids.js';
import { newestFirst, page } from '../list.js';
import type { Router } from '../router.js';
import type { Services } from '../services.js';
import type { FakeCheckoutSession } from '../types.js';

export function checkoutRoutes(router: Router, { state, baseUrl }: Services): void {
  router
    .post('/v1/checkout/sessions', ({ params }) => {
      params.allowOnly(
        'mode',
        'customer',
        'customer_email',
        'line_items',
        'success_url',
        'cancel_url',
        'metadata',
        'client_reference_id',
        'allow_promotion_codes',
        'subscription_data',
      );
      const mode = params.requiredText('mode');
      if (mode !== 'subscription') {
        throw invalidRequest('The fake only runs subscription checkouts.', 'mode');
      }
      const customer = params.text('customer') ?? null;
      if (customer !== null) {
        state.customer(customer);
      }
      if (customer !== null && params.text('customer_email')) {
        throw invalidRequest(
          'You may only specify one of these parameters: customer, customer_email.',
          'customer_email',
        );
      }
      const lines = params.list('line_items');
      if (lines.length === 0) {
        throw invalidRequest(
          'line_items is required in subscription mode: at least one recurring price.',
          'line_items',
        );
      }
      const lineItems = lines.map((line, index) => {
        line.allowOnly('price', 'quantity');
        const param = `line_items[${index}][price]`;
        const price = state.price(line.requiredText('price'), param);
        if (!price.active) {
          throw invalidRequest(
            `The price specified is inactive. This field only accepts active prices.`,
            param,
          );
        }
        return { price, quantity: line.integer('quantity') ?? 1 };
      });
      const subscriptionData = params.nested('subscription_data');
      subscriptionData?.allowOnly('trial_period_days', 'metadata');
      const trialPeriodDays = subscriptionData?.integer('trial_period_days') ?? null;
      const subscriptionMetadata = subscriptionData?.metadata() ?? {};
      const id = newId('cs_test');
      const session: FakeCheckoutSession = {
        id,
        object: 'checkout.session',
        created: state.now(),
        livemode: false,
        url: `${baseUrl()}/checkout/${id}`,
        status: 'open',
        payment_status: 'unpaid',
        mode: 'subscription',
        customer,
        customer_email: params.text('customer_email') ?? null,
        subscription: null,
        metadata: params.metadata(),
        client_reference_id: params.text('client_reference_id') ?? null,
        success_url: params.requiredText('success_url'),
        cancel_url: params.requiredText('cancel_url'),
        allow_promotion_codes: params.boolean('allow_promotion_codes') ?? null,
        amount_total: lineItems.reduce(
          (sum, line) => sum + (line.price.unit_amount ?? 0) * line.quantity,
          0,
        ),
        currency: lineItems[0].price.currency,
      };
      state.checkoutSessions.set(id, session);
      state.checkoutOrders.set(id, {
        lineItems: lineItems.map((line) => ({ price: line.price.id, quantity: line.quantity })),
        trialPeriodDays,
        subscriptionMetadata,
      });
      return session;
    })
    .get('/v1/checkout/sessions/:id', ({ id }) => {
      const session = state.checkoutSessions.get(id);
      if (!session) {
        throw resourceMissing('checkout.session', id);
      }
      return session;
    })
    .get('/v1/checkout/sessions', ({ params }) => {
      params.allowOnly('customer', 'subscription', 'status', 'limit', 'starting_after');
      const customer = params.text('customer');
      const subscription = params.text('subscription');
      const status = params.oneOf('status', ['open', 'complete', 'expired'] as const);
      const matching = newestFirst(state.checkoutSessions.values()).filter(
        (session) =>
          (!customer || session.customer === customer) &&
          (!subscription || session.subscription === subscription) &&
          (!status || session.status === status),
      );
      return page(matching, params, '/v1/checkout/sessions', 'checkout.session');
    });
}
