import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import type { TenantRole } from '../../../common/auth/roles.js';
import type { AdminUserDto } from '../../user-admin/dto/admin-user.dto.js';
import { IsStrongPassword } from '../../users/password-policy.js';
import { PageQueryDto } from '../../../common/validation/page-query.dto.js';

/** The Service Market's roles: ours, plus `user`, the market's name for a student. */
export const MARKET_ROLES = ['student', 'teacher', 'admin', 'user'] as const;
export type MarketRole = (typeof MARKET_ROLES)[number];

export function tenantRoleOf(role: MarketRole): TenantRole {
  return role === 'user' ? 'student' : role;
}

export class MarketUsersQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(MARKET_ROLES)
  role?: MarketRole;
}

export class CreateMarketUserDto {
  /** @example newuser@hallym.ac.kr */
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** @example "Shin Gyu-ri" */
  @IsString()
  @Length(2, 100)
  name!: string;

  /** `user` is a student. @example user */
  @IsIn(MARKET_ROLES)
  role!: MarketRole;

  /** A temporary password (policy applies), changed at the first sign-in; omitted: the welcome mail lets them choose one @example Seed-2026-garden */
  @IsOptional()
  @IsStrongPassword('email')
  password?: string;

  /** Mail a welcome with a link to choose a password (default true) */
  @IsOptional()
  @IsBoolean()
  send_welcome_email?: boolean;
}

export class UpdateMarketUserDto {
  /** @example "Shin Gyu-ri" */
  @IsOptional()
  @IsString()
  @Length(2, 100)
  name?: string;

  @IsOptional()
  @IsIn(MARKET_ROLES)
  role?: MarketRole;

  /** Suspending signs the member out of this tenant at once */
  @IsOptional()
  @IsIn(['active', 'suspended'])
  status?: 'active' | 'suspended';
}

export class MarketUserUsageDto {
  sessions!: number;
  messages!: number;
  tokens!: number;
}

/** A member as the Service Market reads it, with usage. */
export class MarketUserDto {
  user_id!: string;
  email!: string | null;
  name!: string;
  /** @example student */
  role!: TenantRole | null;
  /** active, suspended (in this tenant) or inactive (the account is disabled) */
  status!: 'active' | 'suspended' | 'inactive';
  created_at!: string;
  last_login!: string | null;
  usage!: MarketUserUsageDto;
}

export class MarketUserPageDto {
  tenant_id!: string;
  total!: number;
  limit!: number;
  offset!: number;
  users!: MarketUserDto[];
}

/** The answer to the Service Market's member create (201). */
export class CreatedMarketUserDto {
  user_id!: string;
  email!: string | null;
  name!: string;
  role!: TenantRole | null;
  status!: 'active' | 'suspended' | 'inactive';
  created_at!: string;
  /** true: the password is temporary (changed at the first sign-in, or set from the welcome mail) */
  temporary_password!: boolean;
}

/** The answer (202) when the email already has an account: it is invited, not added. */
export class InvitedMarketUserDto {
  email!: string;
  /** @example student */
  role!: TenantRole;
  status!: 'invited';
  /** Until when the invitation can be accepted */
  expires_at!: string;
}

export const NO_USAGE: MarketUserUsageDto = { sessions: 0, messages: 0, tokens: 0 };

export function mapMarketUser(user: AdminUserDto, usage: MarketUserUsageDto): MarketUserDto {
  return {
    user_id: user.id,
    email: user.email,
    name: user.full_name,
    role: user.role,
    status: !user.is_active ? 'inactive' : (user.membership_status ?? 'active'),
    created_at: user.created_at,
    last_login: user.last_login_at,
    usage,
  };
}
