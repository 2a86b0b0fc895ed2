import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { TENANT_ROLES, type TenantRole } from '../../../common/auth/roles.js';

export const USER_SORTS = ['created_at', 'last_login_at', 'email'] as const;

export class ListUsersQueryDto {
  /** Super admins only: members of one tenant (tenant admins always see their own). */
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9_-]{1,62}$/, { message: 'tenant_id must be a tenant id' })
  tenant_id?: string;

  /** Role in the tenant */
  @IsOptional()
  @IsIn(TENANT_ROLES)
  role?: TenantRole;

  /** `active`, `suspended` (membership in the tenant) or `inactive` (account disabled) */
  @IsOptional()
  @IsIn(['active', 'suspended', 'inactive'])
  status?: 'active' | 'suspended' | 'inactive';

  /** Part of the email or name, case-insensitive */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  created_after?: string;

  @IsOptional()
  @IsIn(USER_SORTS)
  sort?: (typeof USER_SORTS)[number];

  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  /** 1–100, default 20 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}
