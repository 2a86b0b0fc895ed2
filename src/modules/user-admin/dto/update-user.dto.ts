import { IsBoolean, IsIn, IsOptional, ValidateIf } from 'class-validator';
import { RequestExamples } from '../../../common/swagger/request-examples.js';
import { TENANT_ROLES, type TenantRole } from '../../../common/auth/roles.js';

/** What an admin may change about a member; at least one field. */
@RequestExamples<UpdateUserDto>({
  role: { summary: 'Change the role', value: { role: 'teacher' } },
  suspend: { summary: 'Suspend the membership', value: { status: 'suspended' } },
  disable: { summary: 'Super admins: disable the whole account', value: { is_active: false } },
})
export class UpdateUserDto {
  /** Role in the admin's tenant */
  @IsOptional()
  @IsIn(TENANT_ROLES)
  role?: TenantRole;

  /** `suspended` ends the member's sessions in this tenant at once */
  @IsOptional()
  @IsIn(['active', 'suspended'])
  status?: 'active' | 'suspended';

  /** Super admins only: disable or enable the whole account (every tenant); ends every session */
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  /** Super admins only: grant or take away platform administration */
  @ValidateIf((_dto, value) => value !== undefined)
  @IsIn(['super_admin', null])
  platform_role?: 'super_admin' | null;
}
