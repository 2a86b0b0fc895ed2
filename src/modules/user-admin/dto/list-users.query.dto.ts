import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { TENANT_ROLES, type TenantRole } from '../../../common/auth/roles.js';
import { PageQueryDto } from '../../../common/validation/page-query.dto.js';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

export const USER_SORTS = ['created_at', 'last_login_at', 'email'] as const;

export class ListUsersQueryDto extends PageQueryDto {
  /** Super admins only: members of one tenant (tenant admins always see their own). */
  @IsOptional()
  @IsTenantId()
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
}
