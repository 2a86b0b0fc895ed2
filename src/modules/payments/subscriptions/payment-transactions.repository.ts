import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryOne } from '../../../common/database/sql.js';

export interface InvoicePayment {
  subscriptionId: string;
  invoiceId: string;
  paymentIntentId: string | null;
  amount: number;
  currency: string;
  status: 'succeeded' | 'failed';
  paidAt: Date | null;
}

/** `payment_transactions`: one row per invoice that asked for money, whatever order events came in. */
@Injectable()
export class PaymentTransactionsRepository {
  /**
   * A refund is final, and a paid invoice stays paid: a late or stale "failed" never turns
   * either back.
   */
  async recordInvoice(manager: EntityManager, payment: InvoicePayment): Promise<void> {
    await manager.query(
      `INSERT INTO payment_transactions (subscription_id, stripe_invoice_id,
         stripe_payment_intent_id, amount, currency, status, paid_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (stripe_invoice_id) DO UPDATE SET
         stripe_payment_intent_id = COALESCE(EXCLUDED.stripe_payment_intent_id,
                                             payment_transactions.stripe_payment_intent_id),
         amount = EXCLUDED.amount, currency = EXCLUDED.currency,
         status = CASE WHEN payment_transactions.status IN ('refunded', 'succeeded')
                       THEN payment_transactions.status ELSE EXCLUDED.status END,
         paid_at = COALESCE(payment_transactions.paid_at, EXCLUDED.paid_at), updated_at = now()`,
      [
        payment.subscriptionId,
        payment.invoiceId,
        payment.paymentIntentId,
        payment.amount,
        payment.currency,
        payment.status,
        payment.paidAt,
      ],
    );
  }

  /** The Stripe subscription a payment intent paid for, once its invoice is recorded. */
  async stripeSubscriptionOfPaymentIntent(
    manager: EntityManager,
    paymentIntentId: string,
  ): Promise<string | undefined> {
    const row = await queryOne<{ stripe_subscription_id: string }>(
      manager,
      `SELECT s.stripe_subscription_id FROM payment_transactions t
       JOIN subscriptions s ON s.id = t.subscription_id
       WHERE t.stripe_payment_intent_id = $1`,
      [paymentIntentId],
    );
    return row?.stripe_subscription_id;
  }

  /** Refunded in full: `refunded`; in part, the row keeps `succeeded` with the amount refunded. */
  async recordRefund(
    manager: EntityManager,
    paymentIntentId: string,
    amountRefunded: number,
  ): Promise<void> {
    await manager.query(
      `UPDATE payment_transactions SET amount_refunded = LEAST($2::bigint, amount),
         status = CASE WHEN $2::bigint >= amount THEN 'refunded' ELSE status END,
         updated_at = now()
       WHERE stripe_payment_intent_id = $1`,
      [paymentIntentId, amountRefunded],
    );
  }
}
