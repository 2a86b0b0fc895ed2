import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { STRIPE_CLIENT } from '../stripe/stripe-client.provider.js';
import { idOf } from '../stripe/stripe-errors.js';
import { PaymentTransactionsRepository } from '../subscriptions/payment-transactions.repository.js';
import { subscriptionOfInvoice } from '../subscriptions/stripe-subscription.js';
import { SubscriptionSync, type SyncHints } from '../subscriptions/subscription-sync.service.js';
import { PaymentsMetrics } from '../payments.metrics.js';
import { StripeEventsRepository, type StoredEventRow } from './stripe-events.repository.js';

/** The event types we act on; any other is stored, acknowledged and marked processed. */
export const HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
  'customer.subscription.trial_will_end',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'charge.refunded',
] as const;

interface Target {
  stripeSubscriptionId: string;
  hints: SyncHints;
}

type EventObject = Record<string, unknown> & { id?: string };

/**
 * Processes one stored event: works out which subscription it concerns and syncs that
 * subscription from Stripe (the payload is only a pointer; its state may be stale). Runs in
 * the `stripe-events` job, so a failure is retried with backoff, then kept as failed.
 */
@Injectable()
export class StripeEventHandler {
  private readonly logger = new Logger(StripeEventHandler.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    private readonly events: StripeEventsRepository,
    private readonly transactions: PaymentTransactionsRepository,
    private readonly sync: SubscriptionSync,
    private readonly metrics: PaymentsMetrics,
  ) {}

  /**
   * Processes each of these stored events that is not processed yet, on its own; returns the
   * ids that failed (recorded on the event: attempts, last_error, and failed_at when final).
   */
  async processAll(eventIds: string[], isLastAttempt: boolean): Promise<string[]> {
    const failed: string[] = [];
    for (const event of await this.events.findUnprocessed(eventIds)) {
      try {
        await this.process(event, isLastAttempt);
      } catch {
        failed.push(event.id);
      }
    }
    return failed;
  }

  private async process(event: StoredEventRow, isLastAttempt: boolean): Promise<void> {
    const eventId = event.id;
    try {
      const target = await this.targetOf(event);
      if (target) {
        await this.sync.sync(target.stripeSubscriptionId, { ...target.hints, eventId });
      } else {
        await this.events.markProcessed(undefined, eventId);
      }
      this.metrics.eventsProcessed.inc({ type: metricType(event.type), outcome: 'processed' });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.events.recordFailure(eventId, message, isLastAttempt);
      this.metrics.eventsProcessed.inc({
        type: metricType(event.type),
        outcome: isLastAttempt ? 'failed' : 'retried',
      });
      this.logger.warn(
        {
          stripe_event_id: eventId,
          stripe_event_type: event.type,
          err: { message },
          final: isLastAttempt,
        },
        'stripe event not processed',
      );
      throw error;
    }
  }

  private async targetOf(event: StoredEventRow): Promise<Target | undefined> {
    const object = (event.payload.data?.object ?? {}) as EventObject;
    switch (event.type) {
      case 'checkout.session.completed':
        return this.checkoutTarget(object);
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
      case 'customer.subscription.paused':
      case 'customer.subscription.resumed':
        return { stripeSubscriptionId: String(object.id), hints: {} };
      case 'customer.subscription.trial_will_end':
        return { stripeSubscriptionId: String(object.id), hints: { trialWillEnd: true } };
      case 'invoice.paid':
      case 'invoice.payment_succeeded':
      case 'invoice.payment_failed': {
        const subscriptionId = subscriptionOfInvoice(object as unknown as Stripe.Invoice);
        return subscriptionId
          ? {
              stripeSubscriptionId: subscriptionId,
              hints: {
                invoiceId: String(object.id),
                invoicePaymentFailed: event.type === 'invoice.payment_failed',
              },
            }
          : undefined;
      }
      case 'charge.refunded':
        return this.refundTarget(object);
      default:
        return undefined;
    }
  }

  /** The session names its subscription once complete; a one-off payment is none of ours. */
  private async checkoutTarget(object: EventObject): Promise<Target | undefined> {
    if (object.mode !== 'subscription') {
      return undefined;
    }
    let subscription = idOf(object.subscription as string | null);
    if (!subscription) {
      const session = await this.stripe.checkout.sessions.retrieve(String(object.id));
      subscription = idOf(session.subscription);
    }
    if (!subscription) {
      throw new Error(`checkout session ${String(object.id)} has no subscription yet`);
    }
    return { stripeSubscriptionId: subscription, hints: {} };
  }

  /** A refund names a payment intent; the invoice that it paid must be known first (else: retry). */
  private async refundTarget(object: EventObject): Promise<Target> {
    const intent = idOf(object.payment_intent as string | null);
    const subscription = intent
      ? await this.transactions.stripeSubscriptionOfPaymentIntent(this.dataSource.manager, intent)
      : undefined;
    if (!subscription) {
      throw new Error(`charge ${String(object.id)} refunds no payment recorded yet`);
    }
    return { stripeSubscriptionId: subscription, hints: { refundedChargeId: String(object.id) } };
  }
}

/** Metric labels stay few: types we do not handle count as `other`. */
export function metricType(type: string): string {
  return (HANDLED_EVENT_TYPES as readonly string[]).includes(type) ? type : 'other';
}
