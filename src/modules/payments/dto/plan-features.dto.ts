import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { TenantFeaturesDto } from '../../tenants/dto/tenant-settings.dto.js';

/**
 * What a plan grants. Every key is optional; what a plan leaves out falls back to the
 * platform's defaults (individual) or to what the Service Market set (schools).
 */
export class PlanFeaturesDto {
  /** The subscriber's request budget per hour (the free default is RATE_LIMIT_AUTHENTICATED_LIMIT). @example 5000 */
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) api_requests_per_hour?: number;

  /** School plans: members the school may have while the plan is live. @example 500 */
  @IsOptional() @IsInt() @Min(1) @Max(10_000_000) max_users?: number;

  /** School plans: the features on or off while the plan is live. */
  @IsOptional() @ValidateNested() @Type(() => TenantFeaturesDto) features?: TenantFeaturesDto;
}
