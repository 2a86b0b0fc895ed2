import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { CacheInvalidation } from '../../../common/cache/cache-invalidation.service.js';
import { Clock } from '../../../common/clock/clock.js';
import { isForeignKeyViolation } from '../../../common/database/sql.js';
import type { DomainEventType } from '../../../common/events/domain-event.js';
import { OutboxService } from '../../../common/events/outbox.service.js';
import { BillingCustomersRepository } from '../checkout/billing-customers.repository.js';
import { payerKey, payerOfMetadata, type Payer } from '../payer.js';
import { PlansRepository } from '../plans/plans.repository.js';
import { STRIPE_CLIENT } from '../stripe/stripe-client.provider.js';
import { idOf } from '../stripe/stripe-errors.js';
import { StripeEventsRepository } from '../webhooks/stripe-events.repository.js';
import { PaymentTransactionsRepository } from './payment-transactions.repository.js';
import {
  factsOf,
  paidAtOf,
  paymentIntentOfInvoice,
  type StripeSubscriptionFacts,
} from './stripe-subscription.js';
import {
  SubscriptionsRepository,
  type SubscriptionRow,
  type SubscriptionState,
} from './subscriptions.repository.js';

/** What the event that asked for a sync says besides "look at this subscription". */
export interface SyncHints {
  /** The stored event being processed: marked processed in the same transaction, skipped if it was. */
  eventId?: string;
  invoiceId?: string;
  invoicePaymentFailed?: boolean;
  trialWillEnd?: boolean;
  refundedChargeId?: string;
  /** Apply this object instead of fetching it (the answer of our own update call)... */
  current?: Stripe.Subscription;
  /** ...which was asked for at this time. */
  currentAsOf?: Date;
}

const STARTED_STATUSES = new Set(['active', 'trialing']);

/** What was fetched from Stripe for one sync, before any lock is taken. */
interface Fetched {
  subscription: Stripe.Subscription;
  invoice?: Stripe.Invoice;
  charge?: Stripe.Charge;
  /** When the fetch started (the wall clock: it orders fetches, not business time). */
  at: Date;
}

/**
 * Brings one subscription to Stripe's current state. It fetches the subscription (and the
 * invoice or charge the event names) first, holding no database connection while Stripe
 * answers; then, under a per-subscription lock, it writes what it fetched unless a fetch that
 * started later was written already. So duplicates and any arrival order end where Stripe is:
 * every change comes with an event whose own fetch starts after the change.
 * Mails and events follow transitions (started, canceled) or unique notices (one per invoice,
 * one per trial end), never the number of deliveries.
 */
@Injectable()
export class SubscriptionSync {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly transactions: PaymentTransactionsRepository,
    private readonly customers: BillingCustomersRepository,
    private readonly plans: PlansRepository,
    private readonly events: StripeEventsRepository,
    private readonly outbox: OutboxService,
    private readonly invalidation: CacheInvalidation,
    private readonly clock: Clock,
  ) {}

  /** Returns the row as stored, or undefined when the event was already processed. */
  async sync(
    stripeSubscriptionId: string,
    hints: SyncHints = {},
  ): Promise<SubscriptionRow | undefined> {
    const fetched = await this.fetch(stripeSubscriptionId, hints);
    return this.dataSource.transaction(async (manager) => {
      await this.subscriptions.lock(manager, stripeSubscriptionId);
      // Marked processed first: a concurrent copy waits on the lock, then finds it taken.
      // If anything below fails, the transaction (this mark with it) rolls back.
      if (hints.eventId && !(await this.events.claimForProcessing(manager, hints.eventId))) {
        return undefined;
      }
      const previous = await this.subscriptions.findByStripeId(manager, stripeSubscriptionId);
      const newer = previous && previous.stripe_synced_at > fetched.at;
      const saved = newer ? previous : await this.apply(manager, previous, fetched);
      if (fetched.invoice) {
        await this.applyInvoice(manager, saved, fetched.invoice, hints.invoicePaymentFailed);
      }
      if (hints.trialWillEnd && saved.status === 'trialing' && saved.trial_end) {
        await this.notify(
          manager,
          saved,
          'subscription.trial_ending',
          saved.trial_end.toISOString(),
        );
      }
      const refunded = fetched.charge && idOf(fetched.charge.payment_intent);
      if (fetched.charge && refunded) {
        await this.transactions.recordRefund(manager, refunded, fetched.charge.amount_refunded);
      }
      return saved;
    });
  }

  private async fetch(stripeSubscriptionId: string, hints: SyncHints): Promise<Fetched> {
    const at = (hints.current && hints.currentAsOf) || new Date();
    const [subscription, invoice, charge] = await Promise.all([
      hints.current ?? this.stripe.subscriptions.retrieve(stripeSubscriptionId),
      hints.invoiceId ? this.stripe.invoices.retrieve(hints.invoiceId) : undefined,
      hints.refundedChargeId ? this.stripe.charges.retrieve(hints.refundedChargeId) : undefined,
    ]);
    return { subscription, invoice, charge, at };
  }

  private async apply(
    manager: EntityManager,
    previous: SubscriptionRow | undefined,
    fetched: Fetched,
  ): Promise<SubscriptionRow> {
    const facts = factsOf(fetched.subscription);
    const payer = previous ? payerOfRow(previous) : await this.payerOf(manager, facts);
    const samePrice = previous?.stripe_price_id === facts.stripe_price_id;
    const planId =
      (samePrice ? previous?.plan_id : undefined) ??
      (await this.plans.planIdOfPrice(manager, facts.stripe_price_id)) ??
      previous?.plan_id ??
      null;
    const pastDueSince =
      facts.status !== 'past_due' ? null : (previous?.past_due_since ?? this.clock.now());
    const state: SubscriptionState = {
      ...facts,
      payer,
      plan_id: planId,
      past_due_since: pastDueSince,
      stripe_synced_at: fetched.at,
    };
    if (previous && sameState(previous, state)) {
      return previous;
    }
    let saved: SubscriptionRow;
    try {
      saved = await this.subscriptions.save(manager, state);
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw new Error(
          `Stripe subscription ${facts.stripe_subscription_id} is for ${payerKey(payer)}, who does not exist here`,
          { cause: error },
        );
      }
      throw error;
    }
    await this.followTransitions(manager, previous, saved, facts.metadata);
    this.invalidation.changed(manager, 'entitlement', [payerKey(payer)]);
    return saved;
  }

  /** The payer named by checkout's metadata, else by the customer we made for them. */
  private async payerOf(manager: EntityManager, facts: StripeSubscriptionFacts): Promise<Payer> {
    const payer =
      payerOfMetadata(facts.metadata) ??
      (await this.customers.payerOf(manager, facts.stripe_customer_id));
    if (!payer) {
      throw new Error(
        `Stripe subscription ${facts.stripe_subscription_id} names no payer (no checkout metadata, unknown customer ${facts.stripe_customer_id})`,
      );
    }
    return payer;
  }

  private async followTransitions(
    manager: EntityManager,
    previous: SubscriptionRow | undefined,
    saved: SubscriptionRow,
    metadata: Record<string, string>,
  ): Promise<void> {
    const buyer = metadata.user_id ?? saved.payer_user_id ?? undefined;
    const wasStarted = previous !== undefined && STARTED_STATUSES.has(previous.status);
    if (STARTED_STATUSES.has(saved.status) && !wasStarted) {
      await this.notify(manager, saved, 'subscription.started', saved.id, buyer);
    }
    if (saved.status === 'canceled' && previous?.status !== 'canceled') {
      await this.notify(manager, saved, 'subscription.canceled', saved.id, buyer);
    }
    if (!previous || changedForEntitlements(previous, saved)) {
      await this.outbox.add(manager, {
        type: 'subscription.changed',
        aggregateId: saved.id,
        payload: { ...eventPayload(saved), previous_status: previous?.status ?? null },
      });
    }
  }

  private async applyInvoice(
    manager: EntityManager,
    saved: SubscriptionRow,
    invoice: Stripe.Invoice,
    paymentFailed: boolean | undefined,
  ): Promise<void> {
    const amount = invoice.status === 'paid' ? invoice.amount_paid : invoice.amount_due;
    if (amount <= 0) {
      return;
    }
    const paid = invoice.status === 'paid';
    await this.transactions.recordInvoice(manager, {
      subscriptionId: saved.id,
      invoiceId: invoice.id,
      paymentIntentId: paymentIntentOfInvoice(invoice),
      amount,
      currency: invoice.currency,
      status: paid ? 'succeeded' : 'failed',
      paidAt: paid ? (paidAtOf(invoice) ?? this.clock.now()) : null,
    });
    if (paymentFailed && !paid) {
      await this.notify(manager, saved, 'subscription.payment_failed', invoice.id, undefined, {
        invoice_id: invoice.id,
        amount_due: invoice.amount_due,
        currency: invoice.currency,
      });
    }
  }

  /** An event (and so a mail) once per (subscription, kind, reference), however often asked. */
  private async notify(
    manager: EntityManager,
    saved: SubscriptionRow,
    type: DomainEventType,
    reference: string,
    buyer?: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    if (await this.subscriptions.claimNotice(manager, saved.id, type, reference)) {
      await this.outbox.add(manager, {
        type,
        aggregateId: saved.id,
        payload: { ...eventPayload(saved), buyer_user_id: buyer ?? saved.payer_user_id, ...extra },
      });
    }
  }
}

function payerOfRow(row: SubscriptionRow): Payer {
  return row.payer_user_id
    ? { kind: 'user', id: row.payer_user_id }
    : { kind: 'tenant', id: row.payer_tenant_id ?? '' };
}

const STATE_FIELDS = [
  'stripe_customer_id',
  'plan_id',
  'stripe_price_id',
  'status',
  'quantity',
  'current_period_start',
  'current_period_end',
  'cancel_at_period_end',
  'trial_end',
  'canceled_at',
  'ended_at',
  'past_due_since',
] as const;

/** Nothing Stripe says differs from what is stored (a duplicate or a no-op sync). */
function sameState(row: SubscriptionRow, state: SubscriptionState): boolean {
  return STATE_FIELDS.every((field) => {
    const stored = row[field];
    const fetched = state[field];
    return stored instanceof Date || fetched instanceof Date
      ? (stored as Date | null)?.getTime() === (fetched as Date | null)?.getTime()
      : stored === fetched;
  });
}

function changedForEntitlements(before: SubscriptionRow, after: SubscriptionRow): boolean {
  return (
    before.status !== after.status ||
    before.quantity !== after.quantity ||
    before.plan_id !== after.plan_id ||
    before.cancel_at_period_end !== after.cancel_at_period_end ||
    before.current_period_end?.getTime() !== after.current_period_end?.getTime()
  );
}

/** Ids and state only: mails look the person up when they are sent. */
function eventPayload(row: SubscriptionRow): Record<string, unknown> {
  return {
    subscription_id: row.id,
    stripe_subscription_id: row.stripe_subscription_id,
    payer_type: row.payer_user_id ? 'user' : 'tenant',
    user_id: row.payer_user_id,
    tenant_id: row.payer_tenant_id,
    plan_id: row.plan_id,
    status: row.status,
    quantity: row.quantity,
    seat_based: row.seat_based ?? false,
    current_period_end: row.current_period_end?.toISOString() ?? null,
    cancel_at_period_end: row.cancel_at_period_end,
  };
}
