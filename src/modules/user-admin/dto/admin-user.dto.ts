import type { TenantRole } from '../../../common/auth/roles.js';
import { UserDto } from '../../users/dto/user.dto.js';
import type { MembershipStatus } from '../../users/membership.entity.js';

/** A user as an admin sees them: the profile, plus their standing in the admin's tenant. */
export class AdminUserDto extends UserDto {
  /** The tenant this view is about (null in a platform-wide list) */
  tenant_id!: string | null;
  role!: TenantRole | null;
  membership_status!: MembershipStatus | null;
  /** Until when sign-in is locked after failed attempts */
  locked_until!: string | null;
  /**
   * true: this school made and alone manages the account (it may reset its password, act as it,
   * unlock it); false: its owner manages it, and the school only manages the membership.
   */
  school_managed!: boolean;
}

export class AdminUserPageDto {
  items!: AdminUserDto[];
  /** Matching users, all pages together */
  total!: number;
  limit!: number;
  offset!: number;
}
