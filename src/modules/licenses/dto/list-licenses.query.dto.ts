import { IsOptional } from 'class-validator';
import { PageQueryDto } from '../../../common/validation/page-query.dto.js';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

export class ListLicensesQueryDto extends PageQueryDto {
  /** Super admins: one school's licenses (everyone else: their own school's) @example hallym_univ */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}
