import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

export class CreateClassDto {
  /** @example 3-B Science */
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name!: string;

  /** @example Science */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subject?: string | null;

  /** @example "3" */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  grade?: string | null;

  /** @example 2026-1 */
  @IsOptional()
  @IsString()
  @MaxLength(32)
  term?: string | null;

  /** Super admins: the school the class belongs to (everyone else: their own). */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}
