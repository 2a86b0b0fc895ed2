import { ApiProperty } from '@nestjs/swagger';
import {
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { RequestExamples } from '../../../../common/swagger/request-examples.js';
import type { LineItemRow } from '../lti-grades.repository.js';

@RequestExamples<CreateLineItemDto>({
  quiz: {
    summary: 'A gradebook column for a quiz, found again by resource_id and tag',
    value: { label: 'Fractions quiz', score_maximum: 20, resource_id: 'quiz-42', tag: 'quiz' },
  },
})
export class CreateLineItemDto {
  /** The column's name in the LMS gradebook. @example "Fractions quiz" */
  @IsString()
  @Length(1, 255)
  @Matches(/\S/, { message: 'label must not be blank' })
  label!: string;

  /** @example 20 */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.0001)
  @Max(1_000_000)
  score_maximum!: number;

  /** Our id of the graded activity; with `tag`, the same column is found again. @example quiz-42 */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  resource_id?: string;

  /** @example quiz */
  @IsOptional()
  @IsString()
  @Length(1, 255)
  tag?: string;

  /** The LMS resource link the column belongs to, if any. @example resource-1 */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  resource_link_id?: string;
}

export class LineItemDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: "The line item's URL at the LMS (its AGS id)" })
  url!: string;

  @ApiProperty()
  label!: string;

  @ApiProperty()
  score_maximum!: number;

  @ApiProperty({ type: String, nullable: true })
  resource_id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  tag!: string | null;

  @ApiProperty({ type: String, nullable: true })
  resource_link_id!: string | null;

  @ApiProperty({ description: 'Scores waiting to reach the LMS (queued or being retried)' })
  scores_pending!: number;

  @ApiProperty({ description: 'Scores the LMS accepted' })
  scores_sent!: number;

  @ApiProperty({ description: 'Scores that failed for good (POST .../retry sends them again)' })
  scores_failed!: number;

  @ApiProperty()
  created_at!: Date;
}

export function mapLineItem(row: LineItemRow): LineItemDto {
  return {
    id: row.id,
    url: row.url,
    label: row.label,
    score_maximum: row.score_maximum,
    resource_id: row.resource_id,
    tag: row.tag,
    resource_link_id: row.resource_link_id,
    scores_pending: row.pending,
    scores_sent: row.sent,
    scores_failed: row.failed,
    created_at: row.created_at,
  };
}

export class LineItemListDto {
  @ApiProperty({ type: [LineItemDto] })
  items!: LineItemDto[];
}

export class RetriedScoresDto {
  @ApiProperty({ description: 'Failed scores queued again' })
  queued!: number;
}
