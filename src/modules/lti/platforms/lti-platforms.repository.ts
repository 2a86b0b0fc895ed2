import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';
import type { LtiDeploymentStatus } from '../entities/lti-deployment.entity.js';
import type { LtiPlatformStatus, LtiProduct } from '../entities/lti-platform.entity.js';

export interface PlatformRow {
  id: string;
  tenant_id: string;
  issuer: string;
  client_id: string;
  auth_login_url: string;
  token_url: string;
  token_audience: string | null;
  jwks_url: string;
  display_name: string;
  product: LtiProduct;
  status: LtiPlatformStatus;
  registered_via: 'manual' | 'dynamic';
  created_at: Date;
  updated_at: Date;
}

export interface DeploymentRow {
  platform_id: string;
  deployment_id: string;
  status: LtiDeploymentStatus;
  first_seen_at: Date;
  decided_at: Date | null;
}

export interface LaunchRecordRow {
  outcome: 'accepted' | 'refused';
  error_code: string | null;
  at: Date;
  user_id: string | null;
  user_name: string | null;
  subject: string | null;
  deployment_id: string | null;
  context_id: string | null;
  class_id: string | null;
  resource_link_id: string | null;
  message_type: string | null;
  role: string | null;
}

export interface NewPlatform {
  tenantId: string;
  issuer: string;
  clientId: string;
  authLoginUrl: string;
  tokenUrl: string;
  tokenAudience: string | null;
  jwksUrl: string;
  displayName: string;
  product: LtiProduct;
  createdBy: string | null;
}

export type PlatformChanges = Partial<
  Pick<
    PlatformRow,
    | 'auth_login_url'
    | 'token_url'
    | 'token_audience'
    | 'jwks_url'
    | 'display_name'
    | 'product'
    | 'status'
  >
>;

const PLATFORM_COLUMNS = `id, tenant_id, issuer, client_id, auth_login_url, token_url, token_audience,
  jwks_url, display_name, product, status, registered_via, created_at, updated_at`;
const CHANGEABLE: Array<keyof PlatformChanges> = [
  'auth_login_url',
  'token_url',
  'token_audience',
  'jwks_url',
  'display_name',
  'product',
  'status',
];

/** Registrations as school admins manage them; `tenantId` undefined: any school (super admins). */
@Injectable()
export class LtiPlatformsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** undefined when (issuer, client_id) is registered already, to this school or another. */
  async insert(manager: EntityManager, platform: NewPlatform): Promise<PlatformRow | undefined> {
    return queryOne<PlatformRow>(
      manager,
      `INSERT INTO lti_platforms (tenant_id, issuer, client_id, auth_login_url, token_url,
         token_audience, jwks_url, display_name, product, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (issuer, client_id) DO NOTHING RETURNING ${PLATFORM_COLUMNS}`,
      [
        platform.tenantId,
        platform.issuer,
        platform.clientId,
        platform.authLoginUrl,
        platform.tokenUrl,
        platform.tokenAudience,
        platform.jwksUrl,
        platform.displayName,
        platform.product,
        platform.createdBy,
      ],
    );
  }

  async addDeployments(
    manager: EntityManager,
    platformId: string,
    deploymentIds: string[],
    decidedBy: string | null,
  ): Promise<void> {
    if (deploymentIds.length === 0) {
      return;
    }
    await manager.query(
      `INSERT INTO lti_deployments (platform_id, deployment_id, status, first_seen_at, decided_at, decided_by)
       SELECT $1, d, 'approved', now(), now(), $3 FROM unnest($2::varchar[]) AS d
       ON CONFLICT DO NOTHING`,
      [platformId, [...new Set(deploymentIds)], decidedBy],
    );
  }

  find(id: string, tenantId: string | undefined): Promise<PlatformRow | undefined> {
    return queryOne<PlatformRow>(
      this.dataSource,
      `SELECT ${PLATFORM_COLUMNS} FROM lti_platforms WHERE id = $1 AND ($2::varchar IS NULL OR tenant_id = $2)`,
      [id, tenantId ?? null],
    );
  }

  async page(
    tenantId: string | undefined,
    page: { limit: number; offset: number },
  ): Promise<{ rows: PlatformRow[]; total: number }> {
    const rows = await queryRows<PlatformRow & { total: number }>(
      this.dataSource,
      `SELECT ${PLATFORM_COLUMNS}, count(*) OVER ()::int AS total FROM lti_platforms
       WHERE ($1::varchar IS NULL OR tenant_id = $1)
       ORDER BY created_at DESC, id LIMIT $2 OFFSET $3`,
      [tenantId ?? null, page.limit, page.offset],
    );
    return { rows, total: rows[0]?.total ?? 0 };
  }

  deploymentsOf(platformIds: string[], status?: LtiDeploymentStatus): Promise<DeploymentRow[]> {
    return queryRows<DeploymentRow>(
      this.dataSource,
      `SELECT platform_id, deployment_id, status, first_seen_at, decided_at FROM lti_deployments
       WHERE platform_id = ANY($1::uuid[]) AND ($2::varchar IS NULL OR status = $2)
       ORDER BY first_seen_at, deployment_id`,
      [platformIds, status ?? null],
    );
  }

  async update(id: string, changes: PlatformChanges): Promise<void> {
    const params: unknown[] = [id];
    const sets = CHANGEABLE.filter((column) => changes[column] !== undefined).map((column) => {
      params.push(changes[column]);
      return `${column} = $${params.length}`;
    });
    await this.dataSource.query(
      `UPDATE lti_platforms SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1`,
      params,
    );
  }

  /** false when it was not awaiting approval (approved already, or made by hand). */
  async approve(id: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE lti_platforms SET status = 'active', updated_at = now()
       WHERE id = $1 AND status = 'awaiting_approval' RETURNING id`,
      [id],
    );
    return rows.length > 0;
  }

  async delete(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM lti_platforms WHERE id = $1`, [id]);
  }

  /** Approves or refuses a deployment, known (pending) or not (added as decided). */
  async decideDeployment(
    platformId: string,
    deploymentId: string,
    status: 'approved' | 'refused',
    decidedBy: string,
  ): Promise<DeploymentRow> {
    const row = await queryOne<DeploymentRow>(
      this.dataSource,
      `INSERT INTO lti_deployments (platform_id, deployment_id, status, first_seen_at, decided_at, decided_by)
       VALUES ($1, $2, $3, now(), now(), $4)
       ON CONFLICT (platform_id, deployment_id) DO UPDATE
         SET status = EXCLUDED.status, decided_at = EXCLUDED.decided_at, decided_by = EXCLUDED.decided_by
       RETURNING platform_id, deployment_id, status, first_seen_at, decided_at`,
      [platformId, deploymentId, status, decidedBy],
    );
    return row!;
  }

  async deleteDeployment(platformId: string, deploymentId: string): Promise<boolean> {
    const rows = await queryRows<{ deployment_id: string }>(
      this.dataSource,
      `DELETE FROM lti_deployments WHERE platform_id = $1 AND deployment_id = $2 RETURNING deployment_id`,
      [platformId, deploymentId],
    );
    return rows.length > 0;
  }

  /** Accepted and refused launches of the registration, newest first (names come from users). */
  recentLaunches(platformId: string, limit: number): Promise<Omit<LaunchRecordRow, 'user_name'>[]> {
    return queryRows<Omit<LaunchRecordRow, 'user_name'>>(
      this.dataSource,
      `(SELECT 'accepted' AS outcome, NULL AS error_code, created_at AS at, user_id, subject,
               deployment_id, context_id, class_id, resource_link_id, message_type, role
        FROM lti_launches WHERE platform_id = $1 ORDER BY created_at DESC LIMIT $2)
       UNION ALL
       (SELECT 'refused', error_code, created_at, NULL, subject, deployment_id, context_id, NULL,
               NULL, NULL, NULL
        FROM lti_launch_failures WHERE platform_id = $1 ORDER BY created_at DESC LIMIT $2)
       ORDER BY at DESC LIMIT $2`,
      [platformId, limit],
    );
  }

  async insertRegistrationLink(link: {
    tokenHash: string;
    tenantId: string;
    createdBy: string | null;
    expiresAt: Date;
  }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO lti_registration_links (token_hash, tenant_id, created_by, expires_at)
       VALUES ($1, $2, $3, $4)`,
      [link.tokenHash, link.tenantId, link.createdBy, link.expiresAt],
    );
  }
}
