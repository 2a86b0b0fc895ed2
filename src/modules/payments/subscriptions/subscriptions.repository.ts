import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';
import type { Payer } from '../payer.js';

/** Stripe statuses in which a subscription still exists and may come back to paying. */
export const LIVE_STATUSES = ['trialing', 'active', 'past_due', 'unpaid', 'paused', 'incomplete'];

export interface SubscriptionRow {
  id: string;
  stripe_subscription_id: string;
  stripe_customer_id: string;
  payer_user_id: string | null;
  payer_tenant_id: string | null;
  plan_id: string | null;
  plan_name: string | null;
  seat_based: boolean | null;
  stripe_price_id: string;
  status: string;
  quantity: number;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  trial_end: Date | null;
  canceled_at: Date | null;
  ended_at: Date | null;
  past_due_since: Date | null;
  stripe_synced_at: Date;
  created_at: Date;
  updated_at: Date;
}

/** A subscription as Stripe says it is now, for the payer it belongs to. */
export interface SubscriptionState {
  stripe_subscription_id: string;
  stripe_customer_id: string;
  payer: Payer;
  plan_id: string | null;
  stripe_price_id: string;
  status: string;
  quantity: number;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  trial_end: Date | null;
  canceled_at: Date | null;
  ended_at: Date | null;
  past_due_since: Date | null;
  /** When this state was fetched from Stripe. */
  stripe_synced_at: Date;
}

const COLUMNS = `s.id, s.stripe_subscription_id, s.stripe_customer_id, s.payer_user_id,
  s.payer_tenant_id, s.plan_id, p.name AS plan_name, p.seat_based, s.stripe_price_id, s.status,
  s.quantity, s.current_period_start, s.current_period_end, s.cancel_at_period_end, s.trial_end,
  s.canceled_at, s.ended_at, s.past_due_since, s.stripe_synced_at, s.created_at, s.updated_at`;
const FROM = `subscriptions s LEFT JOIN subscription_plans p ON p.id = s.plan_id`;

/** `subscriptions`: one row per Stripe subscription, written only under its lock (SubscriptionSync). */
@Injectable()
export class SubscriptionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Serializes all work on one Stripe subscription until the transaction ends. An advisory
   * lock, not a row lock: the first event of a subscription may arrive before its row exists.
   */
  async lock(manager: EntityManager, stripeSubscriptionId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `stripe-subscription:${stripeSubscriptionId}`,
    ]);
  }

  findByStripeId(
    manager: EntityManager | undefined,
    stripeSubscriptionId: string,
  ): Promise<SubscriptionRow | undefined> {
    return queryOne<SubscriptionRow>(
      manager ?? this.dataSource,
      `SELECT ${COLUMNS} FROM ${FROM} WHERE s.stripe_subscription_id = $1`,
      [stripeSubscriptionId],
    );
  }

  async save(manager: EntityManager, state: SubscriptionState): Promise<SubscriptionRow> {
    const saved = await queryOne<SubscriptionRow>(
      manager,
      `WITH s AS (
         INSERT INTO subscriptions (stripe_subscription_id, stripe_customer_id, payer_user_id,
           payer_tenant_id, plan_id, stripe_price_id, status, quantity, current_period_start,
           current_period_end, cancel_at_period_end, trial_end, canceled_at, ended_at,
           past_due_since, stripe_synced_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         ON CONFLICT (stripe_subscription_id) DO UPDATE SET
           stripe_customer_id = EXCLUDED.stripe_customer_id, plan_id = EXCLUDED.plan_id,
           stripe_price_id = EXCLUDED.stripe_price_id, status = EXCLUDED.status,
           quantity = EXCLUDED.quantity, current_period_start = EXCLUDED.current_period_start,
           current_period_end = EXCLUDED.current_period_end,
           cancel_at_period_end = EXCLUDED.cancel_at_period_end, trial_end = EXCLUDED.trial_end,
           canceled_at = EXCLUDED.canceled_at, ended_at = EXCLUDED.ended_at,
           past_due_since = EXCLUDED.past_due_since, stripe_synced_at = EXCLUDED.stripe_synced_at,
           updated_at = now()
         RETURNING *
       )
       SELECT ${COLUMNS} FROM s LEFT JOIN subscription_plans p ON p.id = s.plan_id`,
      [
        state.stripe_subscription_id,
        state.stripe_customer_id,
        state.payer.kind === 'user' ? state.payer.id : null,
        state.payer.kind === 'tenant' ? state.payer.id : null,
        state.plan_id,
        state.stripe_price_id,
        state.status,
        state.quantity,
        state.current_period_start,
        state.current_period_end,
        state.cancel_at_period_end,
        state.trial_end,
        state.canceled_at,
        state.ended_at,
        state.past_due_since,
        state.stripe_synced_at,
      ],
    );
    if (!saved) {
      throw new Error(`subscription ${state.stripe_subscription_id} was not saved`);
    }
    return saved;
  }

  /** The payer's subscriptions, live ones first, then the most recent. */
  ofPayer(payer: Payer, manager?: EntityManager): Promise<SubscriptionRow[]> {
    return queryRows<SubscriptionRow>(
      manager ?? this.dataSource,
      `SELECT ${COLUMNS} FROM ${FROM}
       WHERE ${payer.kind === 'user' ? 's.payer_user_id' : 's.payer_tenant_id'} = $1
       ORDER BY (s.status = ANY($2::text[])) DESC, s.created_at DESC`,
      [payer.id, LIVE_STATUSES],
    );
  }

  async hasLive(payer: Payer, planId: string): Promise<boolean> {
    const row = await queryOne<{ one: number }>(
      this.dataSource,
      `SELECT 1 AS one FROM subscriptions
       WHERE ${payer.kind === 'user' ? 'payer_user_id' : 'payer_tenant_id'} = $1
         AND plan_id = $2 AND status = ANY($3::text[]) LIMIT 1`,
      [payer.id, planId, LIVE_STATUSES],
    );
    return row !== undefined;
  }

  /** Stripe ids of every subscription that has not ended, for reconciliation. */
  async liveStripeIds(): Promise<string[]> {
    const rows = await queryRows<{ stripe_subscription_id: string }>(
      this.dataSource,
      `SELECT stripe_subscription_id FROM subscriptions WHERE status <> 'canceled'
       AND status <> 'incomplete_expired' ORDER BY created_at`,
    );
    return rows.map((row) => row.stripe_subscription_id);
  }

  /** Marks a notice sent; false when it already was (the mail must not go twice). */
  async claimNotice(
    manager: EntityManager,
    subscriptionId: string,
    kind: string,
    reference: string,
  ): Promise<boolean> {
    const rows = await queryRows<{ kind: string }>(
      manager,
      `INSERT INTO billing_notices (subscription_id, kind, reference) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING kind`,
      [subscriptionId, kind, reference],
    );
    return rows.length > 0;
  }
}
