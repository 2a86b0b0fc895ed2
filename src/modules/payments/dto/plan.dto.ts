import { ApiProperty } from '@nestjs/swagger';
import type { PlanRow } from '../plans/plans.repository.js';

/** A plan as the pricing page shows it. */
export class PublicPlanDto {
  id!: string;
  /** @example Premium */
  name!: string;
  description!: string | null;
  /** Minor units (cents, won). @example 990 */
  unit_amount!: number;
  /** @example usd */
  currency!: string;
  @ApiProperty({ enum: ['month', 'year'] })
  interval!: 'month' | 'year';
  trial_days!: number;
  /** @example {"api_requests_per_hour": 5000} */
  @ApiProperty({ type: 'object', additionalProperties: true })
  features!: Record<string, unknown>;
  seat_based!: boolean;
  @ApiProperty({ enum: ['individual', 'school'] })
  audience!: 'individual' | 'school';
}

/** A plan as super admins manage it. */
export class PlanDto extends PublicPlanDto {
  is_active!: boolean;
  /** @example prod_QfXc2Zp0mYb1Lk */
  stripe_product_id!: string;
  /** The price new subscribers get. @example price_1PzQ2bLkdIwHu7ix */
  stripe_price_id!: string;
  created_at!: string;
  updated_at!: string;
}

export function toPublicPlanDto(row: PlanRow): PublicPlanDto {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    unit_amount: row.unit_amount,
    currency: row.currency,
    interval: row.interval,
    trial_days: row.trial_days,
    features: row.features,
    seat_based: row.seat_based,
    audience: row.audience,
  };
}

export function toPlanDto(row: PlanRow): PlanDto {
  return {
    ...toPublicPlanDto(row),
    is_active: row.is_active,
    stripe_product_id: row.stripe_product_id,
    stripe_price_id: row.stripe_price_id,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
