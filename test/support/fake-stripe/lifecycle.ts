import { invalidRequest } from './errors.js';
import { newId } from './ids.js';
import type { Invoicing } from './invoicing.js';
import { daysLater, periodEnd } from './periods.js';
import type { EventOrigin, StripeState } from './state.js';
import type {
  FakeEvent,
  FakePrice,
  FakeSubscription,
  FakeSubscriptionItem,
  SubscriptionStatus,
} from './types.js';

export interface NewSubscription {
  customer: string;
  lineItems: Array<{ price: FakePrice; quantity: number }>;
  trialPeriodDays: number | null;
  metadata: Record<string, string>;
  paid: boolean;
}

/** A subscription's life: start, renew, change, end; each step records Stripe's events. */
export class SubscriptionLifecycle {
  constructor(
    private readonly state: StripeState,
    private readonly invoicing: Invoicing,
  ) {}

  start(request: NewSubscription, origin: EventOrigin) {
    const now = this.state.now();
    const id = newId('sub');
    const trialEnd =
      request.trialPeriodDays !== null && request.trialPeriodDays > 0
        ? daysLater(now, request.trialPeriodDays)
        : null;
    const subscription: FakeSubscription = {
      id,
      object: 'subscription',
      created: now,
      livemode: false,
      metadata: { ...request.metadata },
      customer: request.customer,
      status: trialEnd !== null ? 'trialing' : request.paid ? 'active' : 'incomplete',
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      ended_at: null,
      trial_start: trialEnd !== null ? now : null,
      trial_end: trialEnd,
      start_date: now,
      billing_cycle_anchor: trialEnd ?? now,
      collection_method: 'charge_automatically',
      currency: request.lineItems[0].price.currency,
      latest_invoice: null,
      items: {
        object: 'list',
        data: request.lineItems.map((line) =>
          this.item(id, line.price, line.quantity, now, trialEnd),
        ),
        has_more: false,
        url: `/v1/subscription_items?subscription=${id}`,
      },
    };
    this.state.subscriptions.set(id, subscription);
    const created = this.state.record('customer.subscription.created', subscription, origin);
    const billed = this.invoicing.invoice(
      subscription,
      { reason: 'subscription_create', paid: request.paid, free: trialEnd !== null },
      origin,
    );
    return { subscription, invoice: billed.invoice, events: [created, ...billed.events] };
  }

  item(
    subscriptionId: string,
    price: FakePrice,
    quantity: number,
    start: number,
    trialEnd: number | null,
  ): FakeSubscriptionItem {
    return {
      id: newId('si'),
      object: 'subscription_item',
      created: start,
      metadata: {},
      price: structuredClone(price),
      quantity,
      current_period_start: start,
      // A trial is its own first period; billing by the price's interval starts after it.
      current_period_end: trialEnd ?? periodEnd(start, price),
      subscription: subscriptionId,
    };
  }

  renew(id: string, paid: boolean, origin: EventOrigin): FakeEvent[] {
    const subscription = this.live(id);
    if (subscription.status === 'paused') {
      throw new Error(`Subscription ${id} is paused: Stripe does not bill it until it resumes`);
    }
    const before = structuredClone(subscription);
    for (const item of subscription.items.data) {
      item.current_period_start = item.current_period_end;
      item.current_period_end = periodEnd(item.current_period_end, item.price);
    }
    subscription.status = paid ? 'active' : 'past_due';
    const billed = this.invoicing.invoice(
      subscription,
      { reason: 'subscription_cycle', paid, free: false },
      origin,
    );
    return [...billed.events, ...this.recordUpdate(before, subscription, origin)];
  }

  /** Applies `change` and records `customer.subscription.updated` if anything moved. */
  change(id: string, change: (subscription: FakeSubscription) => void, origin: EventOrigin) {
    const subscription = this.live(id);
    const before = structuredClone(subscription);
    change(subscription);
    return this.recordUpdate(before, subscription, origin);
  }

  setStatus(id: string, status: SubscriptionStatus, eventType: string, origin: EventOrigin) {
    const subscription = this.live(id);
    const before = structuredClone(subscription);
    subscription.status = status;
    return [
      this.state.record(eventType, subscription, origin),
      ...this.recordUpdate(before, subscription, origin),
    ];
  }

  end(id: string, origin: EventOrigin): FakeEvent[] {
    const subscription = this.live(id);
    const now = this.state.now();
    subscription.status = 'canceled';
    subscription.canceled_at = now;
    subscription.ended_at = now;
    return [this.state.record('customer.subscription.deleted', subscription, origin)];
  }

  /** Stripe refuses most changes to a canceled subscription. */
  live(id: string): FakeSubscription {
    const subscription = this.state.subscription(id);
    if (subscription.status === 'canceled') {
      throw invalidRequest(
        'A canceled subscription can only update its cancellation_details and metadata.',
      );
    }
    return subscription;
  }

  private recordUpdate(
    before: FakeSubscription,
    after: FakeSubscription,
    origin: EventOrigin,
  ): FakeEvent[] {
    const previous = changedAttributes(before, after);
    if (Object.keys(previous).length === 0) {
      return [];
    }
    return [this.state.record('customer.subscription.updated', after, origin, previous)];
  }
}

function changedAttributes(before: FakeSubscription, after: FakeSubscription) {
  const previous: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before)) {
    if (JSON.stringify(value) !== JSON.stringify(after[key as keyof FakeSubscription])) {
      previous[key] = value;
    }
  }
  return previous;
}
