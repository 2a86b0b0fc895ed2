import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { toBoolean } from '../../../classes/dto/list-classes.query.dto.js';
import type { RosterSyncRow } from '../lti-roster.repository.js';

export class RosterSyncDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ['launch', 'manual', 'nightly'] })
  trigger!: string;

  @ApiProperty({ enum: ['queued', 'running', 'succeeded', 'failed'] })
  status!: string;

  @ApiProperty({
    enum: ['full', 'differences'],
    nullable: true,
    description:
      "full: the whole roster read; differences: only the LMS's changes since the last read",
  })
  mode!: string | null;

  @ApiProperty({ description: 'Roster pages read' })
  pages!: number;

  @ApiProperty({ description: 'Active members the LMS listed' })
  members!: number;

  @ApiProperty({ description: 'People who joined the class' })
  added!: number;

  @ApiProperty({ description: 'People who left the class (inactive, deleted or gone at the LMS)' })
  removed!: number;

  @ApiProperty({
    description: 'Members not added: unreadable, suspended in the school, or the school is full',
  })
  skipped!: number;

  @ApiProperty({ type: String, nullable: true })
  error_code!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'What the LMS said, for admins' })
  error_message!: string | null;

  @ApiProperty()
  created_at!: Date;

  @ApiProperty({ type: Date, nullable: true })
  started_at!: Date | null;

  @ApiProperty({ type: Date, nullable: true })
  finished_at!: Date | null;
}

export function mapRosterSync(row: RosterSyncRow): RosterSyncDto {
  return {
    id: row.id,
    trigger: row.trigger,
    status: row.status,
    mode: row.mode,
    pages: row.pages,
    members: row.members,
    added: row.added,
    removed: row.removed,
    skipped: row.skipped,
    error_code: row.error_code,
    error_message: row.error_message,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
  };
}

export class RequestedRosterSyncDto {
  @ApiProperty({ type: RosterSyncDto })
  sync!: RosterSyncDto;

  @ApiProperty({ description: 'false: a sync of this course was already queued or running' })
  queued!: boolean;
}

export class RosterSyncListDto {
  @ApiProperty({ type: [RosterSyncDto], description: 'The newest first (at most 10)' })
  items!: RosterSyncDto[];
}

export class RosterSyncQueryDto {
  /** Read the whole roster even when the LMS offers only its changes (default false) */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'full must be true or false' })
  full?: boolean;
}
