import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import type { SubscriptionRow } from '../subscriptions/subscriptions.repository.js';
import { MAX_SEATS } from './checkout.dto.js';

export class SubscriptionDto {
  id!: string;
  @ApiProperty({ enum: ['user', 'tenant'] })
  payer_type!: 'user' | 'tenant';
  user_id!: string | null;
  tenant_id!: string | null;
  plan_id!: string | null;
  /** @example Premium */
  plan_name!: string | null;
  /** Stripe's own status: trialing, active, past_due, canceled, unpaid, incomplete, paused. @example active */
  status!: string;
  /** Whether it grants its plan right now (past_due counts for the grace period). */
  entitled!: boolean;
  /** Seats for a seat plan, else 1. @example 30 */
  quantity!: number;
  seat_based!: boolean;
  current_period_start!: string | null;
  current_period_end!: string | null;
  /** It ends when the current period does; resume to keep it. */
  cancel_at_period_end!: boolean;
  trial_end!: string | null;
  canceled_at!: string | null;
  ended_at!: string | null;
  created_at!: string;
  updated_at!: string;
}

export class ChangeSeatsDto {
  /** The new number of seats; Stripe prorates the change. @example 40 */
  @IsInt() @Min(1) @Max(MAX_SEATS) quantity!: number;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toSubscriptionDto(row: SubscriptionRow, entitled: boolean): SubscriptionDto {
  return {
    id: row.id,
    payer_type: row.payer_user_id ? 'user' : 'tenant',
    user_id: row.payer_user_id,
    tenant_id: row.payer_tenant_id,
    plan_id: row.plan_id,
    plan_name: row.plan_name,
    status: row.status,
    entitled,
    quantity: row.quantity,
    seat_based: row.seat_based ?? false,
    current_period_start: iso(row.current_period_start),
    current_period_end: iso(row.current_period_end),
    cancel_at_period_end: row.cancel_at_period_end,
    trial_end: iso(row.trial_end),
    canceled_at: iso(row.canceled_at),
    ended_at: iso(row.ended_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
