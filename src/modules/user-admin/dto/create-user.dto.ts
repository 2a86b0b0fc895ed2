import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { RequestExamples } from '../../../common/swagger/request-examples.js';
import { TENANT_ROLES, type TenantRole } from '../../../common/auth/roles.js';
import { IsStrongPassword } from '../../users/password-policy.js';
import { AdminUserDto } from './admin-user.dto.js';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

@RequestExamples<CreateUserDto>({
  member: {
    summary: 'A member with an email (invited by mail)',
    value: { email: 'minji@hallym.ac.kr', full_name: 'Kim Minji', role: 'teacher' },
  },
  pupil: {
    summary: 'A pupil without an email',
    value: {
      username: 'jiwoo.park',
      full_name: 'Park Jiwoo',
      role: 'student',
      temporary_password: 'Seed-2026-garden',
    },
  },
  superAdmin: {
    summary: 'Super admins: a member of a given school',
    value: {
      email: 'minji@hallym.ac.kr',
      full_name: 'Kim Minji',
      role: 'teacher',
      tenant_id: 'hallym_univ',
    },
  },
})
export class CreateUserDto {
  /**
   * The member's address (omit it and give `username` for a pupil without an email)
   * @example minji@hallym.ac.kr
   */
  @ValidateIf((dto: CreateUserDto) => dto.username === undefined || dto.email !== undefined)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email?: string;

  /** For a pupil without an email: the sign-in name, unique inside the tenant @example jiwoo.park */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{3,50}$/, { message: 'username: 3–50 letters, digits, . _ -' })
  username?: string;

  /** @example "Kim Minji" */
  @IsString()
  @Length(2, 100)
  full_name!: string;

  @IsIn(TENANT_ROLES)
  role!: TenantRole;

  /**
   * Deprecated, optional: a school's members with an email are always invited (202). Super
   * admins: send an invitation to their current tenant instead of making the account.
   */
  @ApiPropertyOptional({ deprecated: true })
  @IsOptional()
  @IsBoolean()
  invite?: boolean;

  /**
   * For a pupil with a username (or a super admin's new account): a temporary password (policy
   * applies); omitted: one is generated and returned once. Refused with an email from a school.
   */
  @IsOptional()
  @IsStrongPassword('email')
  temporary_password?: string;

  /** Super admins: the tenant to add the user to (tenant admins: always their own). */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}

export class CreatedUserDto extends AdminUserDto {
  /** Always true (an email is invited instead, answered with 202) */
  account_created!: boolean;
  /** The generated temporary password, shown this once (absent when none was generated) */
  temporary_password?: string;
}

export class TemporaryPasswordDto {
  /** Shown this once; the user must change it at the next sign-in */
  temporary_password!: string;
}
