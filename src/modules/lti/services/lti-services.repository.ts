import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';
import type { LtiPlatformStatus } from '../entities/lti-platform.entity.js';

/** What a service call needs of a registration. */
export interface ServicePlatform {
  id: string;
  tenantId: string;
  issuer: string;
  clientId: string;
  tokenUrl: string;
  tokenAudience: string | null;
  jwksUrl: string;
  status: LtiPlatformStatus;
}

/** An LMS course that became a class, with the service endpoints its launches named. */
export interface LtiCourse {
  platform: ServicePlatform;
  contextId: string;
  classId: string;
  deploymentId: string | null;
  membershipsUrl: string | null;
  differencesUrl: string | null;
  lineitemsUrl: string | null;
  agsScopes: string[];
}

interface CourseRow {
  platform_id: string;
  tenant_id: string;
  issuer: string;
  client_id: string;
  token_url: string;
  token_audience: string | null;
  jwks_url: string;
  status: LtiPlatformStatus;
  context_id: string;
  class_id: string;
  deployment_id: string | null;
  memberships_url: string | null;
  differences_url: string | null;
  lineitems_url: string | null;
  ags_scopes: string[];
}

const SELECT_COURSE = `
  SELECT c.platform_id, p.tenant_id, p.issuer, p.client_id, p.token_url, p.token_audience,
         p.jwks_url, p.status, c.context_id, c.class_id, c.deployment_id, c.memberships_url,
         c.differences_url, c.lineitems_url, c.ags_scopes
    FROM lti_contexts c JOIN lti_platforms p ON p.id = c.platform_id`;

/** Courses and their endpoints (lti_contexts), and the platforms' cached access tokens. */
@Injectable()
export class LtiServicesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The course a class was made from (the most recently launched one if several). */
  async courseOfClass(classId: string): Promise<LtiCourse | undefined> {
    const row = await queryOne<CourseRow>(
      this.dataSource,
      `${SELECT_COURSE} WHERE c.class_id = $1 ORDER BY c.updated_at DESC LIMIT 1`,
      [classId],
    );
    return row ? toCourse(row) : undefined;
  }

  async course(platformId: string, contextId: string): Promise<LtiCourse | undefined> {
    const row = await queryOne<CourseRow>(
      this.dataSource,
      `${SELECT_COURSE} WHERE c.platform_id = $1 AND c.context_id = $2`,
      [platformId, contextId],
    );
    return row ? toCourse(row) : undefined;
  }

  /** Courses of active registrations that offer a roster: the nightly sync's list. */
  async coursesWithRoster(): Promise<
    Array<{ platform: { id: string }; contextId: string; classId: string }>
  > {
    const rows = await queryRows<{ platform_id: string; context_id: string; class_id: string }>(
      this.dataSource,
      `SELECT c.platform_id, c.context_id, c.class_id FROM lti_contexts c
         JOIN lti_platforms p ON p.id = c.platform_id
        WHERE c.memberships_url IS NOT NULL AND p.status = 'active'`,
    );
    return rows.map((row) => ({
      platform: { id: row.platform_id },
      contextId: row.context_id,
      classId: row.class_id,
    }));
  }

  async setDifferencesUrl(platformId: string, contextId: string, url: string | null) {
    await this.dataSource.query(
      `UPDATE lti_contexts SET differences_url = $3 WHERE platform_id = $1 AND context_id = $2`,
      [platformId, contextId, url],
    );
  }

  async cachedToken(
    platformId: string,
    scopes: string,
    validAfter: Date,
  ): Promise<{ sealed: string; expiresAt: Date } | undefined> {
    const row = await queryOne<{ access_token_sealed: string; expires_at: Date }>(
      this.dataSource,
      `SELECT access_token_sealed, expires_at FROM lti_service_tokens
        WHERE platform_id = $1 AND scopes = $2 AND expires_at > $3`,
      [platformId, scopes, validAfter],
    );
    return row && { sealed: row.access_token_sealed, expiresAt: row.expires_at };
  }

  async saveToken(platformId: string, scopes: string, sealed: string, expiresAt: Date) {
    await this.dataSource.query(
      `INSERT INTO lti_service_tokens (platform_id, scopes, access_token_sealed, expires_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (platform_id, scopes) DO UPDATE
         SET access_token_sealed = EXCLUDED.access_token_sealed,
             expires_at = EXCLUDED.expires_at, created_at = now()`,
      [platformId, scopes, sealed, expiresAt],
    );
  }

  /** Forgets a token the LMS refused, unless another instance already stored a newer one. */
  async dropToken(platformId: string, scopes: string, sealed: string): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM lti_service_tokens
        WHERE platform_id = $1 AND scopes = $2 AND access_token_sealed = $3`,
      [platformId, scopes, sealed],
    );
  }
}

function toCourse(row: CourseRow): LtiCourse {
  return {
    platform: {
      id: row.platform_id,
      tenantId: row.tenant_id,
      issuer: row.issuer,
      clientId: row.client_id,
      tokenUrl: row.token_url,
      tokenAudience: row.token_audience,
      jwksUrl: row.jwks_url,
      status: row.status,
    },
    contextId: row.context_id,
    classId: row.class_id,
    deploymentId: row.deployment_id,
    membershipsUrl: row.memberships_url,
    differencesUrl: row.differences_url,
    lineitemsUrl: row.lineitems_url,
    agsScopes: row.ags_scopes,
  };
}
