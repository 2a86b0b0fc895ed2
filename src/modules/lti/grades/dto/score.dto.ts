import { ApiProperty } from '@nestjs/swagger';
import {
  IsDateString,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { RequestExamples } from '../../../../common/swagger/request-examples.js';
import {
  ACTIVITY_PROGRESS,
  GRADING_PROGRESS,
  type ActivityProgress,
  type GradingProgress,
} from '../ags.js';
import type { ScoreRow } from '../lti-grades.repository.js';

@RequestExamples<SubmitScoreDto>({
  graded: {
    summary: 'A finished, graded quiz',
    value: {
      line_item_id: '6f1c2b9e-6a53-4f6e-9a43-1c9b2f0d4e11',
      user_id: '0b3c9a4e-2f5d-4e7a-8c1b-9d6e5f4a3b21',
      score_given: 17,
      score_maximum: 20,
      activity_progress: 'Completed',
      grading_progress: 'FullyGraded',
      comment: 'Well done',
    },
  },
})
export class SubmitScoreDto {
  /** @example 6f1c2b9e-6a53-4f6e-9a43-1c9b2f0d4e11 */
  @IsUUID()
  line_item_id!: string;

  /** Our user id of the student. @example 0b3c9a4e-2f5d-4e7a-8c1b-9d6e5f4a3b21 */
  @IsUUID()
  user_id!: string;

  /** @example 17 */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1_000_000)
  score_given?: number;

  /** Required with score_given. @example 20 */
  @ValidateIf(
    (dto: SubmitScoreDto) => dto.score_given !== undefined || dto.score_maximum !== undefined,
  )
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.0001)
  @Max(1_000_000)
  score_maximum?: number;

  /** @example Completed */
  @IsIn(ACTIVITY_PROGRESS)
  activity_progress!: ActivityProgress;

  /** @example FullyGraded */
  @IsIn(GRADING_PROGRESS)
  grading_progress!: GradingProgress;

  /** Shown to the student in the LMS. @example "Well done" */
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  comment?: string;

  /**
   * When we graded it (default: now). An older grading than the one stored for this student
   * changes nothing. @example 2026-12-02T10:15:30.000Z
   */
  @IsOptional()
  @IsDateString({ strict: true })
  timestamp?: string;
}

export class ScoreDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  line_item_id!: string;

  @ApiProperty({ format: 'uuid' })
  user_id!: string;

  @ApiProperty({ type: Number, nullable: true })
  score_given!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  score_maximum!: number | null;

  @ApiProperty({ enum: ACTIVITY_PROGRESS })
  activity_progress!: string;

  @ApiProperty({ enum: GRADING_PROGRESS })
  grading_progress!: string;

  @ApiProperty({ type: String, nullable: true })
  comment!: string | null;

  @ApiProperty({ description: 'The grading this row holds (the newest received)' })
  graded_at!: Date;

  @ApiProperty({ enum: ['pending', 'sent', 'failed'] })
  status!: string;

  @ApiProperty({ description: 'Attempts to send this grading to the LMS so far' })
  attempts!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The LMS's answer to the last failed attempt",
  })
  last_error!: string | null;

  @ApiProperty({ type: Date, nullable: true })
  sent_at!: Date | null;
}

export function mapScore(row: ScoreRow): ScoreDto {
  return {
    id: row.id,
    line_item_id: row.line_item_id,
    user_id: row.user_id,
    score_given: row.score_given,
    score_maximum: row.score_maximum,
    activity_progress: row.activity_progress,
    grading_progress: row.grading_progress,
    comment: row.comment,
    graded_at: row.graded_at,
    status: row.status,
    attempts: row.attempts,
    last_error: row.last_error,
    sent_at: row.sent_at,
  };
}

export class SubmittedScoreDto {
  @ApiProperty({ type: ScoreDto })
  score!: ScoreDto;

  @ApiProperty({
    description: 'false: a newer grading of this student was already held; nothing was queued',
  })
  accepted!: boolean;
}

export class ScoreListDto {
  @ApiProperty({ type: [ScoreDto] })
  items!: ScoreDto[];
}

export class LineItemResultDto {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'null: no account of ours',
  })
  user_id!: string | null;

  @ApiProperty({ description: "The LMS's user id" })
  lms_user_id!: string;

  @ApiProperty({ type: Number, nullable: true })
  result_score!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  result_maximum!: number | null;

  @ApiProperty({ type: String, nullable: true })
  comment!: string | null;
}

export class LineItemResultListDto {
  @ApiProperty({ type: [LineItemResultDto] })
  items!: LineItemResultDto[];
}
