import {
  IsBoolean,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { RequestExamples } from '../../../common/swagger/request-examples.js';

/** What may change about a class; at least one field. `null` clears subject, grade or term. */
@RequestExamples<UpdateClassDto>({
  rename: { summary: 'Rename', value: { name: '3-B Science (spring)' } },
  details: {
    summary: 'Subject, grade and term',
    value: { subject: 'Biology', grade: '3', term: '2026-2' },
  },
  archive: { summary: 'Archive', value: { archived: true } },
})
export class UpdateClassDto {
  @ValidateIf((_dto, value) => value !== undefined)
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  subject?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  grade?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  term?: string | null;

  /** An archived class keeps its members but takes no one by join code */
  @ValidateIf((_dto, value) => value !== undefined)
  @IsBoolean()
  archived?: boolean;
}
