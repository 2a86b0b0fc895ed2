import { ApiProperty } from '@nestjs/swagger';
import { isoOrNull } from '../../../../common/time/iso.js';
import {
  LTI_PLATFORM_STATUSES,
  LTI_PRODUCTS,
  type LtiPlatformStatus,
  type LtiProduct,
} from '../../entities/lti-platform.entity.js';
import {
  LTI_DEPLOYMENT_STATUSES,
  type LtiDeploymentStatus,
} from '../../entities/lti-deployment.entity.js';
import type { DeploymentRow, LaunchRecordRow, PlatformRow } from '../lti-platforms.repository.js';

export class DeploymentDto {
  /** @example 1:6f6d8c0a2e */
  deployment_id!: string;
  @ApiProperty({ enum: LTI_DEPLOYMENT_STATUSES, example: 'approved' })
  status!: LtiDeploymentStatus;
  /** When a launch first named it (or when it was added) */
  first_seen_at!: string;
  decided_at!: string | null;
}

export class PlatformDto {
  id!: string;
  /** @example hallym_univ */
  tenant_id!: string;
  /** @example https://canvas.instructure.com */
  issuer!: string;
  /** @example 10000000000004 */
  client_id!: string;
  auth_login_url!: string;
  token_url!: string;
  token_audience!: string | null;
  jwks_url!: string;
  /** @example Hallym Canvas */
  display_name!: string;
  @ApiProperty({ enum: LTI_PRODUCTS, example: 'canvas' })
  product!: LtiProduct;
  /** `awaiting_approval`: made by Dynamic Registration, not trusted until approved */
  @ApiProperty({ enum: LTI_PLATFORM_STATUSES, example: 'active' })
  status!: LtiPlatformStatus;
  @ApiProperty({ enum: ['manual', 'dynamic'], example: 'manual' })
  registered_via!: 'manual' | 'dynamic';
  deployments!: DeploymentDto[];
  created_at!: string;
  updated_at!: string;
}

export class PlatformPageDto {
  items!: PlatformDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export class LaunchRecordDto {
  @ApiProperty({ enum: ['accepted', 'refused'], example: 'refused' })
  outcome!: 'accepted' | 'refused';
  /** The check that failed, for a refused launch @example LTI_DEPLOYMENT_PENDING */
  error_code!: string | null;
  at!: string;
  /** Our user, for an accepted launch */
  user_id!: string | null;
  user_name!: string | null;
  /** The LMS's user id (`sub`); for a refused launch, what the token claimed */
  subject!: string | null;
  deployment_id!: string | null;
  context_id!: string | null;
  class_id!: string | null;
  resource_link_id!: string | null;
  message_type!: string | null;
  /** The role given (student, teacher, admin, guest) */
  role!: string | null;
}

export class RecentLaunchesDto {
  items!: LaunchRecordDto[];
}

export class RegistrationLinkDto {
  /** Paste it into the LMS's Dynamic Registration (it works once) @example https://api.dreamseed.example/lti/register?registration_link=kqG3... */
  url!: string;
  expires_at!: string;
}

export function mapDeployment(row: DeploymentRow): DeploymentDto {
  return {
    deployment_id: row.deployment_id,
    status: row.status,
    first_seen_at: row.first_seen_at.toISOString(),
    decided_at: isoOrNull(row.decided_at),
  };
}

export function mapPlatform(row: PlatformRow, deployments: DeploymentRow[]): PlatformDto {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    issuer: row.issuer,
    client_id: row.client_id,
    auth_login_url: row.auth_login_url,
    token_url: row.token_url,
    token_audience: row.token_audience,
    jwks_url: row.jwks_url,
    display_name: row.display_name,
    product: row.product,
    status: row.status,
    registered_via: row.registered_via,
    deployments: deployments.map(mapDeployment),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function mapLaunchRecord(row: LaunchRecordRow): LaunchRecordDto {
  return {
    outcome: row.outcome,
    error_code: row.error_code,
    at: row.at.toISOString(),
    user_id: row.user_id,
    user_name: row.user_name,
    subject: row.subject,
    deployment_id: row.deployment_id,
    context_id: row.context_id,
    class_id: row.class_id,
    resource_link_id: row.resource_link_id,
    message_type: row.message_type,
    role: row.role,
  };
}
