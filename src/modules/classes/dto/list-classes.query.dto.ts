import { IntersectionType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { PageQueryDto } from '../../../common/validation/page-query.dto.js';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

/** `true`/`false` in a query string; anything else stays a string and fails validation. */
export const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ArchivedQueryDto {
  /** Archived classes instead of current ones (default false) */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'archived must be true or false' })
  archived?: boolean;
}

export class ListClassesQueryDto extends IntersectionType(ArchivedQueryDto, PageQueryDto) {
  /** Super admins only: the classes of one school (everyone else: their own). */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;

  /** Part of the name or subject, case-insensitive */
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;
}
