import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { IsTenantId } from '../../../common/validation/tenant-id.js';
import { RequestExamples } from '../../../common/swagger/request-examples.js';

@RequestExamples<CreateClassDto>({
  school: {
    summary: 'A class of your school',
    value: { name: '3-B Science', subject: 'Science', grade: '3', term: '2026-1' },
  },
  superAdmin: {
    summary: 'Super admins: a class of a given school',
    value: { name: '3-B Science', subject: 'Science', tenant_id: 'hallym_univ' },
  },
})
export class CreateClassDto {
  /** @example "3-B Science" */
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

  /** Super admins: the school the class belongs to (everyone else: their own). @example hallym_univ */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}
