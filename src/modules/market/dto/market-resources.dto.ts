import { OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { ClassStatsRow } from '../../classes/classes.repository.js';
import { PageQueryDto } from '../../../common/validation/page-query.dto.js';

export const RESOURCE_TYPES = ['course', 'discussion', 'document'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export class MarketResourcesQueryDto extends PageQueryDto {
  /** Classes are the `course` resources; @example course */
  @IsOptional()
  @IsIn(RESOURCE_TYPES)
  type?: ResourceType;
}

/** The resource aliases fix the type: only paging is left to the caller. */
export class ResourcePageQueryDto extends OmitType(MarketResourcesQueryDto, ['type'] as const) {}

export class ResourceStatsDto {
  participants!: number;
  discussions!: number;
  documents!: number;
}

export class ResourceDto {
  id!: string;
  /** @example AI 개론 */
  title!: string;
  created_by!: string | null;
  created_at!: string;
  stats!: ResourceStatsDto;
}

/** A page of resources of one type (courses, discussions or documents). */
export class ResourcePageDto {
  tenant_id!: string;
  resource_type!: ResourceType;
  total!: number;
  limit!: number;
  offset!: number;
  items!: ResourceDto[];
}

export function mapCourse(row: ClassStatsRow): ResourceDto {
  return {
    id: row.id,
    title: row.name,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    // Discussions and documents are not stored by this platform (yet): none belong to a class.
    stats: { participants: row.participant_count, discussions: 0, documents: 0 },
  };
}
