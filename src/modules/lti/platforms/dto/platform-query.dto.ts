import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { PageQueryDto } from '../../../../common/validation/page-query.dto.js';
import { IsTenantId } from '../../../../common/validation/tenant-id.js';
import {
  LTI_DEPLOYMENT_STATUSES,
  type LtiDeploymentStatus,
} from '../../entities/lti-deployment.entity.js';

export class ListPlatformsQueryDto extends PageQueryDto {
  /** Super admins: one school's registrations (everyone else: their own school's) @example hallym_univ */
  @IsOptional()
  @IsTenantId()
  tenant_id?: string;
}

export class ListDeploymentsQueryDto {
  /** Only these: `pending` lists those waiting for approval @example pending */
  @IsOptional()
  @IsIn(LTI_DEPLOYMENT_STATUSES)
  @ApiProperty({ enum: LTI_DEPLOYMENT_STATUSES, required: false, example: 'pending' })
  status?: LtiDeploymentStatus;
}

export class RecentLaunchesQueryDto {
  /** 1–100, default 50 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
