import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { AreUsageEvents } from '../usage-event-check.js';

export const MAX_BATCH_EVENTS = 1000;

/** One AI call, as the platform's AI services report it (checked by usage-event-check.ts). */
export class UsageEventDto {
  /** Unique per tenant and call, 1–128 characters: a resent event is counted once. @example chat-7f3a91c2-0001 */
  event_id!: string;

  /** The member who made the call (UUID); null for calls made by the service itself @example 5b7f3c2e-9a41-4d7e-8f0a-1c2d3e4f5a6b */
  user_id!: string | null;

  /** The conversation the call belongs to (≤ 128 characters); null when there is none. @example sess-2026-11-24-42 */
  session_id!: string | null;

  /** What the call was for, 1–32 characters. @example chat */
  kind!: string;

  /** 1–64 characters, priced by name (unknown models: the default price). @example gpt-4o-mini */
  model!: string;

  /** Integer, 0–10,000,000 @example 1200 */
  input_tokens!: number;

  /** Integer, 0–10,000,000 @example 350 */
  output_tokens!: number;

  /** ISO 8601 with a time zone; at most 5 minutes ahead, at most 400 days ago. @example 2026-11-24T09:58:12Z */
  occurred_at!: string;
}

export class IngestUsageDto {
  /** 1 to 1,000 events with distinct event ids */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_EVENTS)
  @AreUsageEvents()
  events!: UsageEventDto[];
}

export class RejectedEventDto {
  /** @example chat-7f3a91c2-0002 */
  event_id!: string;
  /** @example user_not_member */
  reason!: 'user_not_member';
}

export class IngestUsageResultDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** Events in the batch @example 1000 */
  received!: number;
  /** New events, now counted in the stats @example 997 */
  accepted!: number;
  /** Events already received earlier (same event_id): not counted again @example 2 */
  duplicates!: number;
  /** Events not stored, with why */
  rejected!: RejectedEventDto[];
}
