import type Stripe from 'stripe';

// Each shape is the SDK's own type narrowed to the fields the fake keeps, so a field the fake
// returns cannot drift from what the real API sends.

export interface FakeList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

type Owned = 'id' | 'object' | 'created' | 'livemode' | 'metadata';

export type FakeProduct = Pick<
  Stripe.Product,
  Owned | 'name' | 'description' | 'active' | 'updated'
>;

export type Interval = 'month' | 'year';

export type FakePrice = Pick<
  Stripe.Price,
  Owned | 'active' | 'currency' | 'unit_amount' | 'nickname' | 'type'
> & {
  product: string;
  recurring: Pick<Stripe.Price.Recurring, 'interval_count'> & { interval: Interval };
};

export type FakeCustomer = Pick<Stripe.Customer, Owned | 'email' | 'name'>;

export type FakeCheckoutSession = Pick<
  Stripe.Checkout.Session,
  | Owned
  | 'url'
  | 'mode'
  | 'success_url'
  | 'cancel_url'
  | 'client_reference_id'
  | 'customer_email'
  | 'amount_total'
  | 'currency'
> & {
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  customer: string | null;
  subscription: string | null;
  allow_promotion_codes: boolean | null;
};

/** What the session was asked to sell; Stripe shows it only through expansions. */
export interface CheckoutOrder {
  lineItems: Array<{ price: string; quantity: number }>;
  trialPeriodDays: number | null;
  subscriptionMetadata: Stripe.Metadata;
}

export type FakePortalSession = Pick<
  Stripe.BillingPortal.Session,
  'id' | 'object' | 'created' | 'livemode' | 'return_url' | 'url'
> & { customer: string };

export type SubscriptionStatus =
  'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'incomplete' | 'paused';

export type FakeSubscriptionItem = Pick<
  Stripe.SubscriptionItem,
  | 'id'
  | 'object'
  | 'created'
  | 'metadata'
  | 'quantity'
  | 'current_period_start'
  | 'current_period_end'
  | 'subscription'
> & { price: FakePrice; quantity: number };

export type FakeSubscription = Pick<
  Stripe.Subscription,
  | Owned
  | 'cancel_at_period_end'
  | 'canceled_at'
  | 'ended_at'
  | 'trial_end'
  | 'trial_start'
  | 'start_date'
  | 'currency'
  | 'cancel_at'
  | 'billing_cycle_anchor'
  | 'collection_method'
> & {
  customer: string;
  status: SubscriptionStatus;
  latest_invoice: string | null;
  items: FakeList<FakeSubscriptionItem>;
};

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';

export type FakeInvoicePayment = Pick<
  Stripe.InvoicePayment,
  'id' | 'object' | 'created' | 'livemode' | 'currency' | 'amount_paid' | 'amount_requested'
> & {
  invoice: string;
  status: 'open' | 'paid' | 'canceled';
  payment: { type: 'payment_intent'; payment_intent: string };
};

export type FakeInvoiceLine = Pick<
  Stripe.InvoiceLineItem,
  'id' | 'object' | 'livemode' | 'amount' | 'currency' | 'quantity' | 'period' | 'metadata'
> & {
  invoice: string;
  subscription: string;
  pricing: { type: 'price_details'; price_details: { price: string; product: string } };
};

export type FakeInvoice = Pick<
  Stripe.Invoice,
  | Owned
  | 'amount_due'
  | 'amount_paid'
  | 'amount_remaining'
  | 'currency'
  | 'period_start'
  | 'period_end'
  | 'hosted_invoice_url'
  | 'invoice_pdf'
  | 'billing_reason'
> & {
  customer: string;
  status: InvoiceStatus;
  parent: {
    type: 'subscription_details';
    quote_details: null;
    subscription_details: { subscription: string; metadata: Stripe.Metadata };
  };
  payments: FakeList<FakeInvoicePayment>;
  lines: FakeList<FakeInvoiceLine>;
  status_transitions: { finalized_at: number | null; paid_at: number | null };
};

export type FakeCharge = Pick<
  Stripe.Charge,
  'id' | 'object' | 'created' | 'livemode' | 'metadata' | 'amount' | 'amount_refunded' | 'currency'
> & {
  customer: string;
  payment_intent: string;
  refunded: boolean;
  paid: boolean;
  status: 'succeeded' | 'pending' | 'failed';
};

export type FakeObject =
  | FakeProduct
  | FakePrice
  | FakeCustomer
  | FakeCheckoutSession
  | FakePortalSession
  | FakeSubscription
  | FakeInvoice
  | FakeCharge;

export interface FakeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: object; previous_attributes?: Record<string, unknown> };
}
