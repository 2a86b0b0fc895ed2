import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { AuditActorType, AuditOutcome } from '../../../common/audit/audit-log.entity.js';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

const ACTOR_TYPES: AuditActorType[] = ['user', 'api_key', 'market', 'system', 'anonymous'];
const OUTCOMES: AuditOutcome[] = ['success', 'failure', 'denied', 'error'];

export class AuditLogQueryDto {
  /** Super admins only: one tenant's records (tenant admins always see their own). */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;

  /** The user, API key or market key that acted */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  actor_id?: string;

  @IsOptional()
  @IsIn(ACTOR_TYPES)
  actor_type?: AuditActorType;

  /** @example auth.login */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  action?: string;

  /** @example user */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  resource_type?: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  resource_id?: string;

  @IsOptional()
  @IsIn(OUTCOMES)
  outcome?: AuditOutcome;

  /** Inclusive lower bound. @example 2026-11-01T00:00:00Z */
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  /** Exclusive upper bound. @example 2026-12-01T00:00:00Z */
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  /** Page size, 1–100 (JSON only). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  /** `next_cursor` of the previous page */
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,200}$/, { message: 'cursor is not one this API gave out' })
  cursor?: string;

  /** `csv` streams every matching record as a file instead of a page of JSON */
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';

  /** A request id, to follow one call */
  @IsOptional()
  @IsUUID('all')
  request_id?: string;
}
