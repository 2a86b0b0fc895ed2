import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { TENANT_ROLES, type TenantRole } from '../../../common/auth/roles.js';
import { IsStrongPassword } from '../../users/password-policy.js';

import { IsTenantId } from '../../../common/validation/tenant-id.js';
export class CreateInvitationDto {
  /** @example teacher@hallym.ac.kr */
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @IsIn(TENANT_ROLES)
  role!: TenantRole;

  /** 1–14 days, default 7 @example 7 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(14)
  expires_in_days?: number;

  /** Super admins: the school to invite into (default: the one you are signed in to). School admins: their own only. @example hallym_univ */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}

export class ListInvitationsQueryDto {
  /** Super admins: the school whose invitations to list (default: the one you are signed in to). @example hallym_univ */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}

export class AcceptInvitationDto {
  /** The token from the mailed link @example b1kGQe5Yv0sN4uR7oP2mH9jD3fL6wZ8x */
  @IsString()
  @Length(10, 200)
  token!: string;

  /** For a new account: its password (policy applies) @example Seed-2026-garden */
  @IsOptional()
  @IsStrongPassword()
  password?: string;

  /** For a new account: the person's name @example "Kim Minji" */
  @IsOptional()
  @IsString()
  @Length(2, 100)
  full_name?: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked' | 'expired';

export class InvitationDto {
  id!: string;
  tenant_id!: string;
  email!: string;
  role!: TenantRole;
  status!: InvitationStatus;
  created_at!: string;
  expires_at!: string;
  accepted_at!: string | null;
}

export class AcceptedInvitationDto {
  invitation_id!: string;
  tenant_id!: string;
  role!: TenantRole;
  user_id!: string;
  /** true: a new account was made (sign in with its email and password) */
  account_created!: boolean;
}
