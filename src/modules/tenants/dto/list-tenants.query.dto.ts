import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQueryDto } from '../../../common/validation/page-query.dto.js';
import { TENANT_STATUSES, type TenantStatus } from '../tenant.entity.js';

export class ListTenantsQueryDto extends PageQueryDto {
  /** Part of the name or the id, case-insensitive. @example hallym */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  /** `active`, `suspended` or `deactivated` */
  @IsOptional()
  @IsIn(TENANT_STATUSES, { message: `status must be one of ${TENANT_STATUSES.join(', ')}` })
  status?: TenantStatus;

  /** The plan, exactly. @example premium */
  @IsOptional()
  @Matches(/^[a-z0-9_-]{1,32}$/, {
    message: 'plan must be 1–32 lower-case letters, digits, "_" or "-"',
  })
  plan?: string;
}
