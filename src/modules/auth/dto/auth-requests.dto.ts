import {
  isEmail,
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { IsTenantId } from '../../../common/validation/tenant-id.js';
import { RequestExamples } from '../../../common/swagger/request-examples.js';
import { USERNAME_PATTERN } from '../../users/dto/update-profile.dto.js';
import { IsStrongPassword, PASSWORD_MAX_LENGTH } from '../../users/password-policy.js';

export class RegisterDto {
  /** @example minji@hallym.ac.kr */
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  /** 8–128 characters with upper, lower, digit and special; not containing the email's name. @example Seed-2026-garden */
  @IsStrongPassword('email')
  password!: string;

  /** @example "Kim Minji" */
  @IsString()
  @Length(2, 100)
  full_name!: string;

  /** @example minji.kim */
  @IsOptional()
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username: 3–50 letters, digits, . _ -' })
  username?: string;
}

@RequestExamples<LoginDto>({
  email: {
    summary: 'With an email',
    value: { email: 'minji@hallym.ac.kr', password: 'Seed-2026-garden' },
  },
  pupil: {
    summary: 'A pupil without an email: username inside the school',
    value: { tenant_id: 'hallym_univ', username: 'jiwoo.park', password: 'Seed-2026-garden' },
  },
})
export class LoginDto {
  /** The account's email; pupils without one give tenant_id + username instead. @example minji@hallym.ac.kr */
  // Checked whenever sent, and required when no username is: a field never skips its checks.
  @ValidateIf((dto: LoginDto) => dto.email !== undefined || dto.username === undefined)
  @IsSignInEmail()
  email?: string;

  /** A pupil's sign-in name inside the school (with tenant_id, instead of email) */
  @ValidateIf((dto: LoginDto) => dto.username !== undefined)
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username: 3–50 letters, digits, . _ -' })
  username?: string;

  /** @example Seed-2026-garden */
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;

  /** The school to sign in to (required with username); default: the first active membership. @example hallym_univ */
  @ValidateIf((dto: LoginDto) => dto.tenant_id !== undefined || dto.username !== undefined)
  @IsString()
  @IsTenantId()
  tenant_id?: string;
}

export class RefreshDto {
  /** The refresh_token of the last sign-in or refresh @example Qm7Lp2Zr8TtWwXk3f9a1cA.b1kGQe5Yv0sN4uR7oP2mH9jD3fL6wZ8xC1tV5qK0nE4 */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refresh_token!: string;
}

export class OneTimeTokenDto {
  /** The token from the mailed link @example b1kGQe5Yv0sN4uR7oP2mH9jD3fL6wZ8x */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;
}

export class EmailDto {
  /** @example minji@hallym.ac.kr */
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;
}

export class ResetPasswordDto {
  /** The token from the mailed link @example b1kGQe5Yv0sN4uR7oP2mH9jD3fL6wZ8x */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;

  /** Same policy as registration @example Garden-2027-orchard */
  @IsStrongPassword()
  new_password!: string;
}

export class ChangePasswordDto {
  /** @example Seed-2026-garden */
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX_LENGTH)
  current_password!: string;

  /** Same policy as registration @example Garden-2027-orchard */
  @IsStrongPassword()
  new_password!: string;
}

export class SwitchTenantDto {
  /** @example hallym_univ */
  @IsString()
  @IsTenantId()
  tenant_id!: string;
}

export class OAuthExchangeDto {
  /** The `code` the web app received on `FRONTEND_URL/auth/callback` (single use, 60 s) @example Zr8TtWwXk3f9a1cAQm7Lp2 */
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  code!: string;
}

const SIGN_IN_IDENTIFIER_MISSING = 'email or username (with tenant_id) is required';

/** The sign-in email; when neither it nor a username is sent, one message saying so. */
function IsSignInEmail(): PropertyDecorator {
  return ValidateBy({
    name: 'isSignInEmail',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' && value.length <= 254 && isEmail(value),
      defaultMessage: (args) =>
        args?.value === undefined
          ? SIGN_IN_IDENTIFIER_MISSING
          : 'email must be an email address (at most 254 characters)',
    },
  });
}
