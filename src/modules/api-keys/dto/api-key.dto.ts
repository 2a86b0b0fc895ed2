import { isoOrNull } from '../../../common/time/iso.js';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
} from 'class-validator';
import { RequestExamples } from '../../../common/swagger/request-examples.js';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../../common/auth/api-key-scopes.js';
import type { ApiKeyRecord } from '../api-keys.repository.js';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

@RequestExamples<CreateApiKeyDto>({
  school: {
    summary: 'A key of your school',
    value: { name: 'Gradebook sync', scopes: ['users:read'], expires_at: '2027-06-30T00:00:00Z' },
  },
  superAdmin: {
    summary: 'Super admins: a key of a given school',
    value: { name: 'Gradebook sync', scopes: ['users:read'], tenant_id: 'hallym_univ' },
  },
})
export class CreateApiKeyDto {
  /** What the key is for. @example "Gradebook sync" */
  @IsString()
  @Length(2, 100)
  name!: string;

  /** @example ["users:read"] */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes!: ApiKeyScope[];

  /** Optional end of validity, in the future. @example 2027-06-30T00:00:00Z */
  @IsOptional()
  @IsISO8601({ strict: true })
  expires_at?: string;

  /** Super admins only: the tenant the key belongs to (none: a platform key). @example hallym_univ */
  @IsOptional()
  @Type(() => String)
  @IsTenantId()
  tenant_id?: string;
}

export class ApiKeyDto {
  id!: string;
  /** Null for a platform key */
  tenant_id!: string | null;
  name!: string;
  /** The public start of the key, to recognise it. @example dsk3f9a1c07 */
  prefix!: string;
  scopes!: ApiKeyScope[];
  created_at!: string;
  last_used_at!: string | null;
  expires_at!: string | null;
  revoked_at!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  /** The key itself, shown this once: send it as `X-API-Key`. */
  key!: string;
}

export function mapApiKey(record: ApiKeyRecord): ApiKeyDto {
  return {
    id: record.id,
    tenant_id: record.tenant_id,
    name: record.name,
    prefix: record.prefix,
    scopes: record.scopes,
    created_at: record.created_at.toISOString(),
    last_used_at: isoOrNull(record.last_used_at),
    expires_at: isoOrNull(record.expires_at),
    revoked_at: isoOrNull(record.revoked_at),
  };
}
