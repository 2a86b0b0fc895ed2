import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';
import type { Payer } from '../payer.js';

/** A subscription that may entitle its payer, with its plan's grants. */
export interface EntitlingRow {
  subscription_id: string;
  plan_id: string;
  plan_name: string;
  status: 'active' | 'trialing' | 'past_due';
  quantity: number;
  seat_based: boolean;
  features: Record<string, unknown>;
  past_due_since: Date | null;
  cancel_at_period_end: boolean;
  current_period_end: Date | null;
}

/** A subscription's stored state (as its last sync left it), for what follows it (licenses). */
export interface SubscriptionTermsRow {
  subscription_id: string;
  stripe_subscription_id: string;
  payer_tenant_id: string | null;
  payer_user_id: string | null;
  plan_id: string | null;
  seat_based: boolean | null;
  status: string;
  quantity: number;
  current_period_start: Date | null;
  current_period_end: Date | null;
  cancel_at_period_end: boolean;
  canceled_at: Date | null;
  ended_at: Date | null;
}

/** Reads what entitles a payer; `subscriptions` and the plans belong to payments. */
@Injectable()
export class EntitlementsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  entitlingSubscriptions(payer: Payer): Promise<EntitlingRow[]> {
    return queryRows<EntitlingRow>(
      this.dataSource,
      `SELECT s.id AS subscription_id, s.plan_id, p.name AS plan_name, s.status, s.quantity,
              p.seat_based, p.features, s.past_due_since, s.cancel_at_period_end,
              s.current_period_end
       FROM subscriptions s JOIN subscription_plans p ON p.id = s.plan_id
       WHERE ${payer.kind === 'user' ? 's.payer_user_id' : 's.payer_tenant_id'} = $1
         AND s.status IN ('active', 'trialing', 'past_due')
       ORDER BY s.created_at DESC`,
      [payer.id],
    );
  }

  subscriptionTerms(stripeSubscriptionId: string): Promise<SubscriptionTermsRow | undefined> {
    return queryOne<SubscriptionTermsRow>(
      this.dataSource,
      `SELECT s.id AS subscription_id, s.stripe_subscription_id, s.payer_tenant_id,
              s.payer_user_id, s.plan_id, p.seat_based, s.status, s.quantity,
              s.current_period_start, s.current_period_end, s.cancel_at_period_end,
              s.canceled_at, s.ended_at
       FROM subscriptions s LEFT JOIN subscription_plans p ON p.id = s.plan_id
       WHERE s.stripe_subscription_id = $1`,
      [stripeSubscriptionId],
    );
  }
}
