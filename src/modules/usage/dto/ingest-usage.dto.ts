import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

export const MAX_BATCH_EVENTS = 1000;
const MAX_TOKENS = 10_000_000;

/** One AI call, as the platform's AI services report it. */
export class UsageEventDto {
  /** Unique per tenant and call: a resent event is counted once. @example chat-7f3a91c2-0001 */
  @IsString()
  @Length(1, 128)
  event_id!: string;

  /** The member who made the call; null for calls made by the service itself */
  @ValidateIf((_dto, value) => value !== null)
  @IsUUID()
  user_id!: string | null;

  /** The conversation the call belongs to; null when there is none. @example sess-2026-11-24-42 */
  @ValidateIf((_dto, value) => value !== null)
  @IsString()
  @Length(1, 128)
  session_id!: string | null;

  /** What the call was for. @example chat */
  @IsString()
  @Length(1, 32)
  kind!: string;

  /** @example gpt-4o-mini */
  @IsString()
  @Length(1, 64)
  model!: string;

  /** @example 1200 */
  @IsInt()
  @Min(0)
  @Max(MAX_TOKENS)
  input_tokens!: number;

  /** @example 350 */
  @IsInt()
  @Min(0)
  @Max(MAX_TOKENS)
  output_tokens!: number;

  /** When the call happened: at most 5 minutes ahead, at most 400 days ago. @example 2026-11-24T09:58:12Z */
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}T.+(Z|[+-]\d{2}:?\d{2})$/i, {
    message: 'occurred_at must be an ISO 8601 timestamp with a time zone',
  })
  occurred_at!: string;
}

export class IngestUsageDto {
  /** 1 to 1,000 events */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_EVENTS)
  @ValidateNested({ each: true })
  @Type(() => UsageEventDto)
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
