import type Stripe from 'stripe';
import { idOf } from '../stripe/stripe-errors.js';

const toDate = (seconds: number | null | undefined): Date | null =>
  typeof seconds === 'number' ? new Date(seconds * 1000) : null;

/** What we keep of a Stripe subscription: its first item is the plan (one price per subscription). */
export interface StripeSubscriptionFacts {
  stripe_subscription_id: string;
  stripe_customer_id: string;
  stripe_price_id: string;
  status: string;
  quantity: number;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  trial_end: Date | null;
  canceled_at: Date | null;
  ended_at: Date | null;
  metadata: Record<string, string>;
}

export function factsOf(subscription: Stripe.Subscription): StripeSubscriptionFacts {
  const item = subscription.items.data[0];
  if (!item) {
    throw new Error(`Stripe subscription ${subscription.id} has no items`);
  }
  return {
    stripe_subscription_id: subscription.id,
    stripe_customer_id: idOf(subscription.customer) ?? '',
    stripe_price_id: item.price.id,
    status: subscription.status,
    quantity: item.quantity ?? 1,
    current_period_start: toDate(item.current_period_start),
    current_period_end: toDate(item.current_period_end),
    cancel_at_period_end: subscription.cancel_at_period_end,
    trial_end: toDate(subscription.trial_end),
    canceled_at: toDate(subscription.canceled_at),
    ended_at: toDate(subscription.ended_at),
    metadata: subscription.metadata ?? {},
  };
}

/** The subscription an invoice bills (the current API names it under `parent`). */
export function subscriptionOfInvoice(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription);
}

export function paymentIntentOfInvoice(invoice: Stripe.Invoice): string | null {
  for (const payment of invoice.payments?.data ?? []) {
    const intent = idOf(payment.payment.payment_intent);
    if (intent) {
      return intent;
    }
  }
  return null;
}

export function paidAtOf(invoice: Stripe.Invoice): Date | null {
  return toDate(invoice.status_transitions?.paid_at);
}
