import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** `period` or `from` + `to` (checked together by resolvePeriod: a bad combination → 400). */
export class StatsQueryDto {
  /** 7d, 30d or 90d: the last N UTC days up to today (default 30d) @example 30d */
  @IsOptional()
  @IsString()
  period?: string;

  /** First UTC day (YYYY-MM-DD, e.g. 2026-01-01), with `to` and without `period`; at most 366 days in all */
  @IsOptional()
  @IsString()
  from?: string;

  /** Last UTC day (YYYY-MM-DD), included */
  @IsOptional()
  @IsString()
  to?: string;
}

export class TopUsersQueryDto extends StatsQueryDto {
  /** 1–100, default 10 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
