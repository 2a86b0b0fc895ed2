import { newId } from './ids.js';
import type { EventOrigin, StripeState } from './state.js';
import type { FakeCharge, FakeEvent, FakeInvoice, FakeSubscription } from './types.js';

export type BillingReason = 'subscription_create' | 'subscription_cycle' | 'subscription_update';

export interface InvoiceRequest {
  reason: BillingReason;
  paid: boolean;
  /** During a trial Stripe still invoices, for zero. */
  free: boolean;
}

/** Invoices a subscription's current period the way Stripe's billing engine does. */
export class Invoicing {
  constructor(
    private readonly state: StripeState,
    private readonly baseUrl: () => string,
  ) {}

  invoice(subscription: FakeSubscription, request: InvoiceRequest, origin: EventOrigin) {
    const now = this.state.now();
    const invoiceId = newId('in');
    const paymentIntent = newId('pi');
    const [first] = subscription.items.data;
    const lines = subscription.items.data.map((item) => ({
      id: newId('il'),
      object: 'line_item' as const,
      livemode: false,
      amount: request.free ? 0 : (item.price.unit_amount ?? 0) * item.quantity,
      currency: item.price.currency,
      quantity: item.quantity,
      period: { start: item.current_period_start, end: item.current_period_end },
      metadata: {},
      invoice: invoiceId,
      subscription: subscription.id,
      pricing: {
        type: 'price_details' as const,
        price_details: { price: item.price.id, product: item.price.product },
      },
    }));
    const amount = lines.reduce((sum, line) => sum + line.amount, 0);
    const settled = request.paid || amount === 0;
    const invoice: FakeInvoice = {
      id: invoiceId,
      object: 'invoice',
      created: now,
      livemode: false,
      metadata: {},
      customer: subscription.customer,
      status: settled ? 'paid' : 'open',
      amount_due: amount,
      amount_paid: settled ? amount : 0,
      amount_remaining: settled ? 0 : amount,
      currency: subscription.currency,
      period_start: first.current_period_start,
      period_end: first.current_period_end,
      hosted_invoice_url: `${this.baseUrl()}/invoice/${invoiceId}`,
      invoice_pdf: `${this.baseUrl()}/invoice/${invoiceId}/pdf`,
      billing_reason: request.reason,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: {
          subscription: subscription.id,
          metadata: { ...subscription.metadata },
        },
      },
      payments: {
        object: 'list',
        data:
          amount === 0
            ? []
            : [
                {
                  id: newId('inpay'),
                  object: 'invoice_payment',
                  created: now,
                  livemode: false,
                  currency: subscription.currency,
                  amount_paid: settled ? amount : null,
                  amount_requested: amount,
                  invoice: invoiceId,
                  status: settled ? 'paid' : 'open',
                  payment: { type: 'payment_intent', payment_intent: paymentIntent },
                },
              ],
        has_more: false,
        url: `/v1/invoice_payments?invoice=${invoiceId}`,
      },
      lines: {
        object: 'list',
        data: lines,
        has_more: false,
        url: `/v1/invoices/${invoiceId}/lines`,
      },
      status_transitions: { finalized_at: now, paid_at: settled ? now : null },
    };
    this.state.invoices.set(invoice.id, invoice);
    subscription.latest_invoice = invoice.id;
    const charge = settled && amount > 0 ? this.charge(invoice, paymentIntent) : undefined;
    return { invoice, charge, events: this.invoiceEvents(invoice, settled, origin) };
  }

  private charge(invoice: FakeInvoice, paymentIntent: string): FakeCharge {
    const charge: FakeCharge = {
      id: newId('ch'),
      object: 'charge',
      created: this.state.now(),
      livemode: false,
      metadata: {},
      amount: invoice.amount_paid,
      amount_refunded: 0,
      currency: invoice.currency,
      customer: invoice.customer,
      payment_intent: paymentIntent,
      refunded: false,
      paid: true,
      status: 'succeeded',
    };
    this.state.charges.set(charge.id, charge);
    return charge;
  }

  private invoiceEvents(invoice: FakeInvoice, settled: boolean, origin: EventOrigin): FakeEvent[] {
    // Stripe sends the draft, then the finalized invoice, then the payment's outcome.
    const unpaid = {
      ...invoice,
      amount_paid: 0,
      amount_remaining: invoice.amount_due,
      payments: {
        ...invoice.payments,
        data: invoice.payments.data.map((payment) => ({
          ...payment,
          status: 'open',
          amount_paid: null,
        })),
      },
    };
    const draft = {
      ...unpaid,
      status: 'draft',
      status_transitions: { finalized_at: null, paid_at: null },
    };
    const open = {
      ...unpaid,
      status: 'open',
      status_transitions: { finalized_at: invoice.created, paid_at: null },
    };
    const events = [
      this.state.record('invoice.created', draft, origin),
      this.state.record('invoice.finalized', open, origin),
    ];
    if (settled) {
      events.push(
        this.state.record('invoice.paid', invoice, origin),
        this.state.record('invoice.payment_succeeded', invoice, origin),
      );
    } else {
      events.push(this.state.record('invoice.payment_failed', invoice, origin));
    }
    return events;
  }
}
