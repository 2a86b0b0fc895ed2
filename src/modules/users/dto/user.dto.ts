import { isoOrNull } from '../../../common/time/iso.js';
import type { TenantRole } from '../../../common/auth/roles.js';
import type { MembershipStatus } from '../membership.entity.js';
import type { MembershipView } from '../memberships.repository.js';
import type { TenantStatus } from '../../tenants/tenant.entity.js';
import type { User } from '../user.entity.js';

export class MembershipDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** @example Hallym University */
  tenant_name!: string;
  tenant_status!: TenantStatus;
  role!: TenantRole;
  status!: MembershipStatus;
  joined_at!: string;
}

/** A user as the API shows it: never the password hash or lockout counters. */
export class UserDto {
  /** @example 0b8e7c1e-3c1f-4a55-9f0e-2d8b1f6f7a10 */
  id!: string;
  /** @example student@hallym.ac.kr */
  email!: string | null;
  /** @example Kim Minji */
  full_name!: string;
  username!: string | null;
  phone!: string | null;
  grade_level!: string | null;
  profile_image_url!: string | null;
  preferences!: Record<string, unknown>;
  /** `super_admin` for platform staff, null for everyone else */
  platform_role!: 'super_admin' | null;
  is_active!: boolean;
  /** A temporary password is set: only changing it works until then */
  must_change_password!: boolean;
  email_verified!: boolean;
  email_verified_at!: string | null;
  last_login_at!: string | null;
  created_at!: string;
  updated_at!: string;
}

export class UserProfileDto extends UserDto {
  memberships!: MembershipDto[];
}

export function mapUser(user: User): UserDto {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    username: user.username,
    phone: user.phone,
    grade_level: user.gradeLevel,
    profile_image_url: user.profileImageUrl,
    preferences: user.preferences,
    platform_role: user.platformRole,
    is_active: user.isActive,
    must_change_password: user.mustChangePassword,
    email_verified: user.emailVerifiedAt !== null,
    email_verified_at: isoOrNull(user.emailVerifiedAt),
    last_login_at: isoOrNull(user.lastLoginAt),
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

export function mapMembership(membership: MembershipView): MembershipDto {
  return {
    tenant_id: membership.tenantId,
    tenant_name: membership.tenantName,
    tenant_status: membership.tenantStatus,
    role: membership.role,
    status: membership.status,
    joined_at: membership.joinedAt.toISOString(),
  };
}

export function mapUserProfile(user: User, memberships: MembershipView[]): UserProfileDto {
  return { ...mapUser(user), memberships: memberships.map(mapMembership) };
}
