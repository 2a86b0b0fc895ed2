import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';
import type { LtiDeploymentStatus } from '../entities/lti-deployment.entity.js';
import type { LtiPlatformStatus } from '../entities/lti-platform.entity.js';

export interface LaunchPlatform {
  id: string;
  tenantId: string;
  issuer: string;
  clientId: string;
  authLoginUrl: string;
  jwksUrl: string;
  status: LtiPlatformStatus;
}

interface LaunchPlatformRow {
  id: string;
  tenant_id: string;
  issuer: string;
  client_id: string;
  auth_login_url: string;
  jwks_url: string;
  status: LtiPlatformStatus;
}

/** The LTI Advantage endpoints a launch named for its course; null: not named. */
export interface CourseServices {
  membershipsUrl: string | null;
  lineitemsUrl: string | null;
  agsScopes: string[] | null;
}

export interface LoginStateRow {
  platform_id: string;
  nonce: string;
  browser_hash: string;
  target_link_uri: string;
  deployment_id: string | null;
  login_params: Record<string, string>;
  expires_at: Date;
  used_at: Date | null;
}

export interface LtiIdentityRow {
  user_id: string;
  platform_id: string | null;
  jwks_url: string;
}

export interface NewLaunch {
  platformId: string;
  tenantId: string;
  deploymentId: string;
  userId: string | null;
  subject: string | null;
  contextId: string | null;
  classId: string | null;
  resourceLinkId: string | null;
  messageType: string;
  roles: string[];
  role: string;
  claims: Record<string, unknown>;
  at: Date;
}

export interface LaunchFailure {
  platformId: string | null;
  tenantId: string | null;
  errorCode: string;
  issuer: string | null;
  deploymentId: string | null;
  subject: string | null;
  contextId: string | null;
  at: Date;
}

const SELECT_PLATFORM = `SELECT id, tenant_id, issuer, client_id, auth_login_url, jwks_url, status
  FROM lti_platforms`;

/** What a login and a launch read and write: platforms, states, nonces, people, courses, launches. */
@Injectable()
export class LtiLaunchRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The registrations of an issuer; with a client_id, the one registration it names. */
  async platformsOf(issuer: string, clientId: string | undefined): Promise<LaunchPlatform[]> {
    const rows = await queryRows<LaunchPlatformRow>(
      this.dataSource,
      clientId === undefined
        ? `${SELECT_PLATFORM} WHERE issuer = $1 ORDER BY created_at LIMIT 2`
        : `${SELECT_PLATFORM} WHERE issuer = $1 AND client_id = $2`,
      clientId === undefined ? [issuer] : [issuer, clientId],
    );
    return rows.map(toPlatform);
  }

  async platform(id: string): Promise<LaunchPlatform | undefined> {
    const row = await queryOne<LaunchPlatformRow>(
      this.dataSource,
      `${SELECT_PLATFORM} WHERE id = $1`,
      [id],
    );
    return row ? toPlatform(row) : undefined;
  }

  async insertLoginState(state: {
    stateHash: string;
    platformId: string;
    nonce: string;
    browserHash: string;
    targetLinkUri: string;
    deploymentId: string | null;
    loginParams: Record<string, string>;
    expiresAt: Date;
  }): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO lti_login_states
         (state_hash, platform_id, nonce, browser_hash, target_link_uri, deployment_id, login_params,
          expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        state.stateHash,
        state.platformId,
        state.nonce,
        state.browserHash,
        state.targetLinkUri,
        state.deploymentId,
        state.loginParams,
        state.expiresAt,
      ],
    );
  }

  /**
   * Uses the state up if it is live and bound to this browser (one statement, so two posts of
   * the same state cannot both pass); otherwise reads it back to say why not.
   */
  async useLoginState(
    stateHash: string,
    browserHash: string,
    now: Date,
  ): Promise<{ used: LoginStateRow } | { refused: LoginStateRow | undefined }> {
    const used = await queryOne<LoginStateRow>(
      this.dataSource,
      `UPDATE lti_login_states SET used_at = $3
       WHERE state_hash = $1 AND browser_hash = $2 AND used_at IS NULL AND expires_at > $3
       RETURNING platform_id, nonce, browser_hash, target_link_uri, deployment_id, login_params, expires_at, used_at`,
      [stateHash, browserHash, now],
    );
    if (used) {
      return { used };
    }
    return { refused: await this.loginState(stateHash) };
  }

  loginState(stateHash: string): Promise<LoginStateRow | undefined> {
    return queryOne<LoginStateRow>(
      this.dataSource,
      `SELECT platform_id, nonce, browser_hash, target_link_uri, deployment_id, login_params, expires_at, used_at
       FROM lti_login_states WHERE state_hash = $1`,
      [stateHash],
    );
  }

  async nonceSeen(platformId: string, nonce: string): Promise<boolean> {
    const rows = await queryRows<{ found: number }>(
      this.dataSource,
      `SELECT 1 AS found FROM lti_nonces WHERE platform_id = $1 AND nonce = $2`,
      [platformId, nonce],
    );
    return rows.length > 0;
  }

  /** false when another launch took the nonce first. */
  async acceptNonce(
    manager: EntityManager,
    platformId: string,
    nonce: string,
    expiresAt: Date,
  ): Promise<boolean> {
    const rows = await queryRows<{ nonce: string }>(
      manager,
      `INSERT INTO lti_nonces (platform_id, nonce, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING nonce`,
      [platformId, nonce, expiresAt],
    );
    return rows.length > 0;
  }

  async deploymentStatus(
    platformId: string,
    deploymentId: string,
  ): Promise<LtiDeploymentStatus | undefined> {
    const row = await queryOne<{ status: LtiDeploymentStatus }>(
      this.dataSource,
      `SELECT status FROM lti_deployments WHERE platform_id = $1 AND deployment_id = $2`,
      [platformId, deploymentId],
    );
    return row?.status;
  }

  async recordPendingDeployment(
    platformId: string,
    deploymentId: string,
    now: Date,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO lti_deployments (platform_id, deployment_id, status, first_seen_at)
       VALUES ($1, $2, 'pending', $3) ON CONFLICT DO NOTHING`,
      [platformId, deploymentId, now],
    );
  }

  identity(
    manager: EntityManager,
    issuer: string,
    subject: string,
  ): Promise<LtiIdentityRow | undefined> {
    return queryOne<LtiIdentityRow>(
      manager,
      `SELECT user_id, platform_id, jwks_url FROM lti_identities WHERE issuer = $1 AND subject = $2
       FOR UPDATE`,
      [issuer, subject],
    );
  }

  async insertIdentity(
    manager: EntityManager,
    identity: {
      issuer: string;
      subject: string;
      userId: string;
      platformId: string;
      jwksUrl: string;
      email: string | null;
      at: Date;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO lti_identities (issuer, subject, user_id, platform_id, jwks_url, email, last_launch_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        identity.issuer,
        identity.subject,
        identity.userId,
        identity.platformId,
        identity.jwksUrl,
        identity.email,
        identity.at,
      ],
    );
  }

  async touchIdentity(
    manager: EntityManager,
    issuer: string,
    subject: string,
    email: string | null,
    at: Date,
  ): Promise<void> {
    await manager.query(
      `UPDATE lti_identities SET last_launch_at = $3, email = COALESCE($4, email)
       WHERE issuer = $1 AND subject = $2`,
      [issuer, subject, at, email],
    );
  }

  async setLinkCode(
    issuer: string,
    subject: string,
    codeHash: string,
    expiresAt: Date,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE lti_identities SET link_code_hash = $3, link_code_expires_at = $4
       WHERE issuer = $1 AND subject = $2`,
      [issuer, subject, codeHash, expiresAt],
    );
  }

  /** The identity a live link code names, locked; the code is spent with the move. */
  linkable(
    manager: EntityManager,
    codeHash: string,
    now: Date,
  ): Promise<
    { id: string; user_id: string; issuer: string; platform_id: string | null } | undefined
  > {
    return queryOne(
      manager,
      `SELECT id, user_id, issuer, platform_id FROM lti_identities
       WHERE link_code_hash = $1 AND link_code_expires_at > $2 FOR UPDATE`,
      [codeHash, now],
    );
  }

  async moveIdentity(manager: EntityManager, identityId: string, userId: string): Promise<void> {
    await manager.query(
      `UPDATE lti_identities SET user_id = $2, link_code_hash = NULL, link_code_expires_at = NULL
       WHERE id = $1`,
      [identityId, userId],
    );
  }

  /** The class a course became, locked so two first launches make one class. */
  async contextClass(
    manager: EntityManager,
    platformId: string,
    contextId: string,
  ): Promise<string | undefined> {
    // Serializes the first launches of one course (the row does not exist yet to lock).
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('lti_context'), hashtext($1))`, [
      `${platformId}:${contextId}`,
    ]);
    const row = await queryOne<{ class_id: string }>(
      manager,
      `SELECT class_id FROM lti_contexts WHERE platform_id = $1 AND context_id = $2`,
      [platformId, contextId],
    );
    return row?.class_id;
  }

  /** The course, with the service endpoints this launch named (a launch without keeps them). */
  async saveContext(
    manager: EntityManager,
    context: {
      platformId: string;
      contextId: string;
      classId: string;
      title: string | null;
      label: string | null;
      deploymentId: string;
      services: CourseServices;
      at: Date;
    },
  ): Promise<{ rosterSynced: boolean }> {
    const { services } = context;
    const row = await queryOne<{ roster_synced: boolean }>(
      manager,
      `INSERT INTO lti_contexts (platform_id, context_id, class_id, title, label, updated_at,
                                deployment_id, memberships_url, lineitems_url, ags_scopes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10::text[], '{}'))
       ON CONFLICT (platform_id, context_id) DO UPDATE
         SET title = EXCLUDED.title, label = EXCLUDED.label, updated_at = EXCLUDED.updated_at,
             deployment_id = EXCLUDED.deployment_id,
             memberships_url = COALESCE(EXCLUDED.memberships_url, lti_contexts.memberships_url),
             lineitems_url = COALESCE(EXCLUDED.lineitems_url, lti_contexts.lineitems_url),
             ags_scopes = CASE WHEN $10::text[] IS NULL THEN lti_contexts.ags_scopes
                               ELSE EXCLUDED.ags_scopes END
       RETURNING EXISTS (SELECT 1 FROM lti_roster_syncs s
                          WHERE s.platform_id = $1 AND s.context_id = $2) AS roster_synced`,
      [
        context.platformId,
        context.contextId,
        context.classId,
        context.title,
        context.label,
        context.at,
        context.deploymentId,
        services.membershipsUrl,
        services.lineitemsUrl,
        services.agsScopes,
      ],
    );
    return { rosterSynced: row?.roster_synced ?? false };
  }

  async insertLaunch(manager: EntityManager, launch: NewLaunch): Promise<string> {
    const row = await queryOne<{ id: string }>(
      manager,
      `INSERT INTO lti_launches (platform_id, tenant_id, deployment_id, user_id, subject, context_id,
         class_id, resource_link_id, message_type, roles, role, claims, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
      [
        launch.platformId,
        launch.tenantId,
        launch.deploymentId,
        launch.userId,
        launch.subject,
        launch.contextId,
        launch.classId,
        launch.resourceLinkId,
        launch.messageType,
        launch.roles,
        launch.role,
        launch.claims,
        launch.at,
      ],
    );
    return row!.id;
  }

  async insertFailure(failure: LaunchFailure): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO lti_launch_failures
         (platform_id, tenant_id, error_code, issuer, deployment_id, subject, context_id, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        failure.platformId,
        failure.tenantId,
        failure.errorCode,
        failure.issuer,
        failure.deploymentId,
        failure.subject,
        failure.contextId,
        failure.at,
      ],
    );
  }

  /** Spent states and nonces past their life. */
  async prune(now: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM lti_login_states WHERE expires_at < $1`, [now]);
    await this.dataSource.query(`DELETE FROM lti_nonces WHERE expires_at < $1`, [now]);
  }
}

function toPlatform(row: LaunchPlatformRow): LaunchPlatform {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    issuer: row.issuer,
    clientId: row.client_id,
    authLoginUrl: row.auth_login_url,
    jwksUrl: row.jwks_url,
    status: row.status,
  };
}
