import { invalidRequest } from '../errors.js';
import type { SubscriptionLifecycle } from '../lifecycle.js';
import { newestFirst, page } from '../list.js';
import type { Params } from '../params.js';
import type { Router } from '../router.js';
import type { Services } from '../services.js';
import type { StripeState } from '../state.js';
import type { FakeSubscription } from '../types.js';

const STATUSES = [
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
  'ended',
  'all',
] as const;
const PRORATIONS = ['create_prorations', 'none', 'always_invoice'] as const;

export function subscriptionRoutes(router: Router, { state, lifecycle }: Services): void {
  router
    .get('/v1/subscriptions/:id', ({ id }) => state.subscription(id))
    .get('/v1/subscriptions', ({ params }) => {
      params.allowOnly('customer', 'status', 'price', 'limit', 'starting_after');
      const customer = params.text('customer');
      const price = params.text('price');
      const status = params.oneOf('status', STATUSES);
      const matching = newestFirst(state.subscriptions.values()).filter(
        (subscription) =>
          (!customer || subscription.customer === customer) &&
          (!price || subscription.items.data.some((item) => item.price.id === price)) &&
          hasStatus(subscription, status),
      );
      return page(matching, params, '/v1/subscriptions', 'subscription');
    })
    .post('/v1/subscriptions/:id', ({ id, params }) => {
      params.allowOnly('cancel_at_period_end', 'items', 'proration_behavior', 'metadata');
      params.oneOf('proration_behavior', PRORATIONS);
      const cancelAtPeriodEnd = params.boolean('cancel_at_period_end');
      const subscription = state.subscription(id);
      // Validate the whole request before changing anything, as Stripe does.
      const itemChanges = params.list('items').map((item) => itemChange(item, subscription, state));
      const metadata = params.metadata(subscription.metadata);
      lifecycle.change(
        id,
        (live) => {
          live.cancel_at_period_end = cancelAtPeriodEnd ?? live.cancel_at_period_end;
          live.metadata = metadata;
          for (const change of itemChanges) {
            applyItemChange(live, change, state, lifecycle);
          }
        },
        'api',
      );
      return subscription;
    })
    .delete('/v1/subscriptions/:id', ({ id, params }) => {
      params.allowOnly('invoice_now', 'prorate', 'cancellation_details');
      lifecycle.end(id, 'api');
      return state.subscription(id);
    });
}

function hasStatus(subscription: FakeSubscription, status: string | undefined): boolean {
  if (status === 'all') {
    return true;
  }
  if (status === undefined) {
    return subscription.status !== 'canceled';
  }
  return subscription.status === status;
}

interface ItemChange {
  id: string | undefined;
  price: string | undefined;
  quantity: number | undefined;
}

function itemChange(item: Params, subscription: FakeSubscription, state: StripeState): ItemChange {
  item.allowOnly('id', 'price', 'quantity');
  const id = item.text('id') ?? undefined;
  if (id !== undefined && !subscription.items.data.some((existing) => existing.id === id)) {
    throw invalidRequest(`Invalid subscription_item: '${id}' is not part of ${subscription.id}`);
  }
  const price = item.text('price') ?? undefined;
  if (price !== undefined && !state.price(price, item.name('price')).active) {
    throw invalidRequest('The price specified is inactive.', item.name('price'));
  }
  if (id === undefined && price === undefined) {
    throw invalidRequest('Each item needs an id to change or a price to add.', 'items');
  }
  const quantity = item.integer('quantity');
  if (quantity !== undefined && quantity < 0) {
    throw invalidRequest('Invalid quantity: must be at least 0.', item.name('quantity'));
  }
  return { id, price, quantity };
}

function applyItemChange(
  subscription: FakeSubscription,
  change: ItemChange,
  state: StripeState,
  lifecycle: SubscriptionLifecycle,
): void {
  const existing = subscription.items.data.find((item) => item.id === change.id);
  if (!existing) {
    const [first] = subscription.items.data;
    const price = state.price(change.price ?? '');
    const added = lifecycle.item(
      subscription.id,
      price,
      change.quantity ?? 1,
      first.current_period_start,
      null,
    );
    added.current_period_end = first.current_period_end;
    subscription.items.data.push(added);
    return;
  }
  if (change.price !== undefined) {
    existing.price = structuredClone(state.price(change.price));
  }
  existing.quantity = change.quantity ?? existing.quantity;
}
