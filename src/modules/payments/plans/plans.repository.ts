import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';

export type PlanInterval = 'month' | 'year';
export type PlanAudience = 'individual' | 'school';

export interface PlanRow {
  id: string;
  name: string;
  description: string | null;
  unit_amount: number;
  currency: string;
  interval: PlanInterval;
  trial_days: number;
  features: Record<string, unknown>;
  seat_based: boolean;
  audience: PlanAudience;
  is_active: boolean;
  stripe_product_id: string;
  stripe_price_id: string;
  created_at: Date;
  updated_at: Date;
}

export type NewPlan = Omit<PlanRow, 'created_at' | 'updated_at'>;

/** The fields an admin may change; a price field changes the plan's Stripe price. */
export type PlanChanges = Partial<
  Pick<
    PlanRow,
    | 'name'
    | 'description'
    | 'unit_amount'
    | 'currency'
    | 'interval'
    | 'trial_days'
    | 'features'
    | 'is_active'
    | 'stripe_price_id'
  >
>;

const PLAN_COLUMNS = `id, name, description, unit_amount, currency, interval, trial_days, features,
  seat_based, audience, is_active, stripe_product_id, stripe_price_id, created_at, updated_at`;
const CHANGEABLE = [
  'name',
  'description',
  'unit_amount',
  'currency',
  'interval',
  'trial_days',
  'features',
  'is_active',
  'stripe_price_id',
] as const;

/** `subscription_plans` and the Stripe prices each plan has had (`plan_prices`). */
@Injectable()
export class PlansRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  list(options: { activeOnly: boolean }): Promise<PlanRow[]> {
    return queryRows<PlanRow>(
      this.dataSource,
      `SELECT ${PLAN_COLUMNS} FROM subscription_plans
       ${options.activeOnly ? 'WHERE is_active' : ''}
       ORDER BY audience, unit_amount, name`,
    );
  }

  findById(id: string, manager?: EntityManager): Promise<PlanRow | undefined> {
    return queryOne<PlanRow>(
      manager ?? this.dataSource,
      `SELECT ${PLAN_COLUMNS} FROM subscription_plans WHERE id = $1`,
      [id],
    );
  }

  async insert(manager: EntityManager, plan: NewPlan): Promise<boolean> {
    const inserted = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO subscription_plans (id, name, description, unit_amount, currency, interval,
         trial_days, features, seat_based, audience, is_active, stripe_product_id, stripe_price_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       ON CONFLICT (stripe_price_id) DO NOTHING RETURNING id`,
      [
        plan.id,
        plan.name,
        plan.description,
        plan.unit_amount,
        plan.currency,
        plan.interval,
        plan.trial_days,
        JSON.stringify(plan.features),
        plan.seat_based,
        plan.audience,
        plan.is_active,
        plan.stripe_product_id,
        plan.stripe_price_id,
      ],
    );
    if (inserted.length === 0) {
      return false;
    }
    await this.recordPrice(manager, plan);
    return true;
  }

  async update(manager: EntityManager, id: string, changes: PlanChanges): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    for (const column of CHANGEABLE) {
      const value = changes[column];
      if (value !== undefined) {
        params.push(column === 'features' ? JSON.stringify(value) : value);
        sets.push(`${column} = $${params.length}`);
      }
    }
    if (sets.length > 0) {
      await manager.query(
        `UPDATE subscription_plans SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`,
        params,
      );
    }
  }

  /** A price the plan now sells at; the one it replaces keeps its row, archived. */
  async recordPrice(
    manager: EntityManager,
    plan: Pick<PlanRow, 'id' | 'stripe_price_id' | 'unit_amount' | 'currency' | 'interval'>,
    replaces?: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO plan_prices (stripe_price_id, plan_id, unit_amount, currency, interval)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stripe_price_id) DO NOTHING`,
      [plan.stripe_price_id, plan.id, plan.unit_amount, plan.currency, plan.interval],
    );
    if (replaces) {
      await manager.query(
        `UPDATE plan_prices SET archived_at = now() WHERE stripe_price_id = $1 AND archived_at IS NULL`,
        [replaces],
      );
    }
  }

  /** The plan a Stripe price belongs to, current or archived. */
  async planIdOfPrice(manager: EntityManager, stripePriceId: string): Promise<string | null> {
    const row = await queryOne<{ plan_id: string }>(
      manager,
      `SELECT plan_id FROM plan_prices WHERE stripe_price_id = $1`,
      [stripePriceId],
    );
    return row?.plan_id ?? null;
  }

  async isPriceAdopted(stripePriceId: string): Promise<boolean> {
    const row = await queryOne<{ one: number }>(
      this.dataSource,
      `SELECT 1 AS one FROM plan_prices WHERE stripe_price_id = $1`,
      [stripePriceId],
    );
    return row !== undefined;
  }
}
