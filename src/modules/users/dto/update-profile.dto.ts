import {
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { IsSmallJson } from '../../../common/validation/is-small-json.js';

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,50}$/;

/**
 * The fields a user may change about themselves; `null` clears an optional one. Anything else
 * (role, tenant, email, flags) is refused with 400 by the validation pipe, not silently dropped.
 */
export class UpdateProfileDto {
  /** @example "Kim Minji" */
  @ValidateIf((_dto, value) => value !== undefined)
  @IsString()
  @Length(2, 100)
  full_name?: string;

  /** Letters, digits, `.`, `_`, `-`; 3–50 characters @example minji.kim */
  @IsOptional()
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username: 3–50 letters, digits, . _ -' })
  username?: string;

  /** @example +82-10-1234-5678 */
  @IsOptional()
  @IsString()
  @Matches(/^\+?[0-9 ()-]{6,32}$/, { message: 'phone must be a phone number' })
  phone?: string;

  /** @example "10" */
  @IsOptional()
  @IsString()
  @Length(1, 32)
  grade_level?: string;

  /** An https URL @example https://cdn.hallym.ac.kr/people/minji.png */
  @IsOptional()
  @IsUrl({ protocols: ['https'], require_protocol: true })
  @MaxLength(2048)
  profile_image_url?: string;

  /** Free-form UI preferences, up to 4 KB of JSON; replaces the stored object @example {"theme": "dark", "language": "ko"} */
  @ValidateIf((_dto, value) => value !== undefined)
  @IsObject()
  @IsSmallJson(4096)
  preferences?: Record<string, unknown>;
}
