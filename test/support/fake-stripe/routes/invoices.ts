import { newestFirst, page } from '../list.js';
import type { Router } from '../router.js';
import type { Services } from '../services.js';

const STATUSES = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;

export function invoiceRoutes(router: Router, { state }: Services): void {
  router
    .get('/v1/invoices/:id', ({ id }) => state.invoice(id))
    .get('/v1/invoices', ({ params }) => {
      params.allowOnly('customer', 'subscription', 'status', 'limit', 'starting_after');
      const customer = params.text('customer');
      const subscription = params.text('subscription');
      const status = params.oneOf('status', STATUSES);
      const matching = newestFirst(state.invoices.values()).filter(
        (invoice) =>
          (!customer || invoice.customer === customer) &&
          (!subscription || invoice.parent.subscription_details.subscription === subscription) &&
          (!status || invoice.status === status),
      );
      return page(matching, params, '/v1/invoices', 'invoice');
    })
    .get('/v1/charges/:id', ({ id }) => state.charge(id))
    .get('/v1/charges', ({ params }) => {
      params.allowOnly('customer', 'payment_intent', 'limit', 'starting_after');
      const customer = params.text('customer');
      const paymentIntent = params.text('payment_intent');
      const matching = newestFirst(state.charges.values()).filter(
        (charge) =>
          (!customer || charge.customer === customer) &&
          (!paymentIntent || charge.payment_intent === paymentIntent),
      );
      return page(matching, params, '/v1/charges', 'charge');
    });
}
