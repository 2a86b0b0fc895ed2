import { Type } from 'class-transformer';
import {
  IsEmail,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { TenantConfigDto, TenantSubscriptionDto } from '../../tenants/dto/tenant-settings.dto.js';
import { TenantStatusDto } from './tenant-status.dto.js';

export class ActivateTenantDto {
  /** @example "Hallym University" */
  @IsString()
  @Length(2, 200)
  name!: string;

  /** @example premium */
  @IsOptional()
  @Matches(/^[a-z0-9_-]{1,32}$/, { message: 'plan: 1–32 lower-case letters, digits, _ or -' })
  plan?: string;

  /** The same `config` as PUT /settings; merged into what a reactivated tenant had */
  @IsOptional()
  @ValidateNested()
  @Type(() => TenantConfigDto)
  settings?: TenantConfigDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => TenantSubscriptionDto)
  subscription?: TenantSubscriptionDto;

  /** The school's first admin: invited by mail (role admin) unless already a member. @example it@hallym.ac.kr */
  @IsOptional()
  @IsEmail({}, { message: 'admin_email must be an email address' })
  @MaxLength(254)
  admin_email?: string;

  /** @example Park Jiwoo */
  @ValidateIf((dto: ActivateTenantDto) => dto.admin_name !== undefined)
  @IsString()
  @Length(2, 100)
  admin_name?: string;
}

export class DeactivateTenantDto {
  /** Kept with the tenant; the data stays. @example Contract ended */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class AdminInvitationView {
  email!: string;
  expires_at!: string;
}

export class TenantLifecycleDto extends TenantStatusDto {
  /** What this call did: `unchanged` when the tenant was already in that state (idempotent) */
  result!: 'created' | 'reactivated' | 'deactivated' | 'unchanged';
  /** The first admin's invitation, when one was sent by this call */
  admin_invitation!: AdminInvitationView | null;
}
