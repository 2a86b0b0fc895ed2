import { newId } from './ids.js';
import type { SubscriptionLifecycle } from './lifecycle.js';
import type { StripeState } from './state.js';
import type { FakeCustomer, FakeEvent, SubscriptionStatus } from './types.js';

export interface SubscriptionPatch {
  status?: SubscriptionStatus;
  cancel_at_period_end?: boolean;
  /** The first item's quantity (the seat count). */
  quantity?: number;
  trial_end?: number | null;
  /** Merged over the current metadata; an empty string removes a key. */
  metadata?: Record<string, string>;
}

/** What happens at Stripe without the app asking: a customer pays, a period ends, a bank refunds. */
export class StripeSimulation {
  constructor(
    protected readonly state: StripeState,
    protected readonly lifecycle: SubscriptionLifecycle,
  ) {}

  /** The customer finishes the hosted checkout page. */
  completeCheckout(sessionId: string, { paid = true }: { paid?: boolean } = {}): FakeEvent[] {
    const session = this.state.checkoutSessions.get(sessionId);
    const order = this.state.checkoutOrders.get(sessionId);
    if (!session || !order) {
      throw new Error(`No such checkout.session: '${sessionId}'`);
    }
    if (session.status !== 'open') {
      throw new Error(`Checkout session ${sessionId} is ${session.status}, not open`);
    }
    const customer = session.customer ?? this.createCustomer(session.customer_email).id;
    const started = this.lifecycle.start(
      {
        customer,
        lineItems: order.lineItems.map((line) => ({
          price: this.state.price(line.price),
          quantity: line.quantity,
        })),
        trialPeriodDays: order.trialPeriodDays,
        metadata: order.subscriptionMetadata,
        paid,
      },
      'simulation',
    );
    session.status = 'complete';
    session.customer = customer;
    session.subscription = started.subscription.id;
    session.payment_status =
      started.subscription.status === 'trialing' ? 'no_payment_required' : paid ? 'paid' : 'unpaid';
    return [
      ...started.events,
      this.state.record('checkout.session.completed', session, 'simulation'),
    ];
  }

  /** The period ends and Stripe bills the next one. */
  renew(subscriptionId: string, { paid }: { paid: boolean }): FakeEvent[] {
    return this.lifecycle.renew(subscriptionId, paid, 'simulation');
  }

  updateSubscription(subscriptionId: string, patch: SubscriptionPatch): FakeEvent[] {
    return this.lifecycle.change(
      subscriptionId,
      (subscription) => {
        subscription.status = patch.status ?? subscription.status;
        subscription.cancel_at_period_end =
          patch.cancel_at_period_end ?? subscription.cancel_at_period_end;
        subscription.trial_end =
          patch.trial_end === undefined ? subscription.trial_end : patch.trial_end;
        const [first] = subscription.items.data;
        // A trial is the current period, so moving its end moves the period's end.
        if (subscription.status === 'trialing' && patch.trial_end) {
          for (const item of subscription.items.data) {
            item.current_period_end = patch.trial_end;
          }
        }
        first.quantity = patch.quantity ?? first.quantity;
        subscription.metadata = mergeMetadata(subscription.metadata, patch.metadata);
      },
      'simulation',
    );
  }

  /** Stripe cancels the subscription now (dunning gave up, or the dashboard did it). */
  endSubscription(subscriptionId: string): FakeEvent[] {
    return this.lifecycle.end(subscriptionId, 'simulation');
  }

  /** The current period runs out: a subscription set to cancel ends, any other renews paid. */
  endPeriod(subscriptionId: string): FakeEvent[] {
    const subscription = this.state.subscription(subscriptionId);
    return subscription.cancel_at_period_end
      ? this.endSubscription(subscriptionId)
      : this.renew(subscriptionId, { paid: true });
  }

  /** Stripe's warning three days before a trial ends. */
  trialWillEnd(subscriptionId: string): FakeEvent[] {
    const subscription = this.lifecycle.live(subscriptionId);
    if (subscription.status !== 'trialing') {
      throw new Error(`Subscription ${subscriptionId} is ${subscription.status}, not trialing`);
    }
    return [this.state.record('customer.subscription.trial_will_end', subscription, 'simulation')];
  }

  pause(subscriptionId: string): FakeEvent[] {
    return this.lifecycle.setStatus(
      subscriptionId,
      'paused',
      'customer.subscription.paused',
      'simulation',
    );
  }

  resume(subscriptionId: string): FakeEvent[] {
    const subscription = this.lifecycle.live(subscriptionId);
    if (subscription.status !== 'paused') {
      throw new Error(`Subscription ${subscriptionId} is ${subscription.status}, not paused`);
    }
    return this.lifecycle.setStatus(
      subscriptionId,
      'active',
      'customer.subscription.resumed',
      'simulation',
    );
  }

  /** Refunds a charge in full; an invoice id refunds the charge that paid it. */
  refund(chargeOrInvoiceId: string): FakeEvent[] {
    const charge = chargeOrInvoiceId.startsWith('in_')
      ? this.chargeOfInvoice(chargeOrInvoiceId)
      : this.state.charge(chargeOrInvoiceId);
    if (charge.refunded) {
      throw new Error(`Charge ${charge.id} has already been refunded`);
    }
    charge.refunded = true;
    charge.amount_refunded = charge.amount;
    return [this.state.record('charge.refunded', charge, 'simulation')];
  }

  /** Records any event, for the types the app does not know. */
  event(type: string, object: object): FakeEvent {
    return this.state.record(type, object, 'simulation');
  }

  private chargeOfInvoice(invoiceId: string) {
    const invoice = this.state.invoice(invoiceId);
    const paymentIntent = invoice.payments.data[0]?.payment.payment_intent;
    const charge = [...this.state.charges.values()].find(
      (candidate) => candidate.payment_intent === paymentIntent,
    );
    if (!charge) {
      throw new Error(`Invoice ${invoiceId} was not paid by a charge`);
    }
    return charge;
  }

  private createCustomer(email: string | null): FakeCustomer {
    const customer: FakeCustomer = {
      id: newId('cus'),
      object: 'customer',
      created: this.state.now(),
      livemode: false,
      email,
      name: null,
      metadata: {},
    };
    this.state.customers.set(customer.id, customer);
    return customer;
  }
}

function mergeMetadata(
  current: Record<string, string>,
  patch: Record<string, string> | undefined,
): Record<string, string> {
  const merged = { ...current, ...patch };
  for (const [key, value] of Object.entries(merged)) {
    if (value === '') {
      delete merged[key];
    }
  }
  return merged;
}
