import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { EventListStatus, StoredEventRow } from '../webhooks/stripe-events.repository.js';

export class ListStripeEventsQueryDto {
  /** pending: not processed yet; failed: the queue gave up (retry it); processed. @example failed */
  @IsOptional() @IsIn(['pending', 'failed', 'processed']) status?: EventListStatus;

  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

/** A stored Stripe event, without its payload. */
export class StripeEventDto {
  /** @example evt_1Q2w3e4r */
  id!: string;
  /** @example invoice.paid */
  type!: string;
  stripe_created_at!: string;
  livemode!: boolean;
  /** webhook, or reconciliation (Stripe could not deliver it) */
  source!: string;
  received_at!: string;
  processed_at!: string | null;
  attempts!: number;
  /** Why the last try failed (Stripe's message, or ours) */
  last_error!: string | null;
  failed_at!: string | null;
}

export class ReconciliationReportDto {
  subscriptions_checked!: number;
  subscriptions_failed!: number;
  /** Undelivered events found in Stripe and stored now */
  events_recovered!: number;
  /** Stored events whose job was lost, queued again */
  events_requeued!: number;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toStripeEventDto(row: StoredEventRow): StripeEventDto {
  return {
    id: row.id,
    type: row.type,
    stripe_created_at: row.stripe_created_at.toISOString(),
    livemode: row.livemode,
    source: row.source,
    received_at: row.received_at.toISOString(),
    processed_at: iso(row.processed_at),
    attempts: row.attempts,
    last_error: row.last_error,
    failed_at: iso(row.failed_at),
  };
}
