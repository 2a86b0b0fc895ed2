import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { PlatformRole, TenantRole } from '../../common/auth/roles.js';
import { queryOne, queryRows } from '../../common/database/sql.js';
import { withWriteParts, type WritePart } from '../../common/database/write-parts.js';
import {
  accountFromJson,
  accountJsonOf,
  type Account,
  type AccountJson,
} from '../users/users.repository.js';
import { Session, type SessionRevokeReason } from './session.entity.js';

export interface NewSession {
  /** Chosen by the caller, so writes sent along (e.g. the sign-in's event) can name it. */
  id?: string;
  userId: string;
  tenantId: string | null;
  refreshFamily: string;
  refreshTokenHash: string;
  userAgent: string | null;
  ip: string | null;
  now: Date;
  expiresAt: Date;
}

/** What every authenticated request checks about its session (cached briefly, see SessionState). */
export interface SessionStateRow {
  session_id: string;
  user_id: string;
  tenant_id: string | null;
  ended: boolean;
  user_active: boolean;
  platform_role: PlatformRole | null;
  role: TenantRole | null;
  membership_status: string | null;
  tenant_status: string | null;
  impersonator_id: string | null;
  must_change_password: boolean;
}

/** A session a refresh just rotated, with the account its new token speaks for. */
export interface RotatedSession {
  id: string;
  tenantId: string | null;
  /** Null once the account is deleted. */
  account: Account | null;
}

/** The columns a tenant switch needs, read under a row lock. */
export interface LockedSession {
  id: string;
  userId: string;
  tenantId: string | null;
  refreshFamily: string;
  refreshTokenHash: string;
  previousTokenHash: string | null;
  rotatedAt: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
}

interface LockedSessionRow {
  id: string;
  user_id: string;
  tenant_id: string | null;
  refresh_family: string;
  refresh_token_hash: string;
  previous_token_hash: string | null;
  rotated_at: Date | null;
  expires_at: Date;
  revoked_at: Date | null;
}

const SELECT_LOCKED = `SELECT id, user_id, tenant_id, refresh_family, refresh_token_hash,
  previous_token_hash, rotated_at, expires_at, revoked_at FROM sessions`;

function toLockedSession(row: LockedSessionRow): LockedSession {
  return {
    id: row.id,
    userId: row.user_id,
    tenantId: row.tenant_id,
    refreshFamily: row.refresh_family,
    refreshTokenHash: row.refresh_token_hash,
    previousTokenHash: row.previous_token_hash,
    rotatedAt: row.rotated_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

const SESSION_COLUMNS = `id, user_id, tenant_id, refresh_family, refresh_token_hash,
  previous_token_hash, rotated_at, user_agent, ip, created_at, last_used_at, expires_at,
  revoked_at, revoked_reason, impersonator_id`;

interface SessionRow extends LockedSessionRow {
  user_agent: string | null;
  ip: string | null;
  created_at: Date;
  last_used_at: Date;
  revoked_reason: SessionRevokeReason | null;
  impersonator_id: string | null;
}

function toSession(row: SessionRow): Session {
  return Object.assign(new Session(), {
    ...toLockedSession(row),
    userAgent: row.user_agent,
    ip: row.ip,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedReason: row.revoked_reason,
    impersonatorId: row.impersonator_id,
  });
}

@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Opens a session and, in the same statement, ends the oldest live ones beyond
   * `maxSessions` (the new one included). Returns the new id and the ids it ended.
   */
  async insertWithinLimit(
    manager: EntityManager,
    session: NewSession,
    maxSessions: number,
    along: WritePart[] = [],
  ): Promise<{ id: string; evicted: string[] }> {
    const statement = withWriteParts(
      `WITH evicted AS (
         UPDATE sessions SET revoked_at = $7, revoked_reason = 'session_limit'
         WHERE id IN (
           SELECT id FROM sessions
           WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $7 AND impersonator_id IS NULL
           ORDER BY created_at DESC, id DESC OFFSET $9)
         RETURNING id
       ), created AS (
         INSERT INTO sessions (id, user_id, tenant_id, refresh_family, refresh_token_hash,
                               user_agent, ip, created_at, last_used_at, expires_at)
         VALUES (COALESCE($10::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $7, $8)
         RETURNING id
       )
       SELECT created.id, COALESCE((SELECT array_agg(id) FROM evicted), '{}') AS evicted
       FROM created`,
      [
        session.userId,
        session.tenantId,
        session.refreshFamily,
        session.refreshTokenHash,
        session.userAgent,
        session.ip,
        session.now,
        session.expiresAt,
        Math.max(0, maxSessions - 1),
        session.id ?? null,
      ],
      along,
    );
    const row = await queryOne<{ id: string; evicted: string[] }>(
      manager,
      statement.sql,
      statement.params,
    );
    if (!row) {
      throw new Error('session insert returned nothing');
    }
    return row;
  }

  /** A short session in which `impersonatorId` acts as the user; it has no usable refresh token. */
  async insertImpersonation(
    manager: EntityManager,
    session: NewSession & { impersonatorId: string },
  ): Promise<string> {
    const row = await queryOne<{ id: string }>(
      manager,
      `INSERT INTO sessions (user_id, tenant_id, refresh_family, refresh_token_hash, user_agent, ip,
                             created_at, last_used_at, expires_at, impersonator_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9) RETURNING id`,
      [
        session.userId,
        session.tenantId,
        session.refreshFamily,
        session.refreshTokenHash,
        session.userAgent,
        session.ip,
        session.now,
        session.expiresAt,
        session.impersonatorId,
      ],
    );
    return row?.id ?? '';
  }

  /** Live sessions of a user, oldest first. */
  async listLive(userId: string, now: Date, manager?: EntityManager): Promise<Session[]> {
    const rows = await queryRows<SessionRow>(
      manager ?? this.dataSource,
      `SELECT ${SESSION_COLUMNS} FROM sessions
       WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 AND impersonator_id IS NULL
       ORDER BY created_at, id`,
      [userId, now],
    );
    return rows.map(toSession);
  }

  /**
   * One refresh in one statement: the session of `family` whose current token hashes to
   * `presented` moves on to `successorHash`; the one that moved on from `presented` less
   * than the grace window ago (`rotatedAfter`) to this very successor is only touched. Both
   * return the session with its account. Nothing comes back for any other token. A concurrent
   * refresh with the same token waits for this row and then sees the rotation it made, so it
   * takes the grace branch and gets the same successor.
   */
  async rotateByToken(
    family: string,
    change: {
      presented: string;
      successorHash: string;
      now: Date;
      rotatedAfter: Date;
      expiresAt: Date;
    },
  ): Promise<RotatedSession | undefined> {
    const row = await queryOne<{
      id: string;
      tenant_id: string | null;
      account: AccountJson | null;
    }>(
      this.dataSource,
      `UPDATE sessions s SET
         refresh_token_hash = $3,
         previous_token_hash = CASE WHEN s.refresh_token_hash = $2 THEN $2 ELSE s.previous_token_hash END,
         rotated_at = CASE WHEN s.refresh_token_hash = $2 THEN $4 ELSE s.rotated_at END,
         expires_at = CASE WHEN s.refresh_token_hash = $2 THEN $6 ELSE s.expires_at END,
         last_used_at = $4
       WHERE s.refresh_family = $1
         AND s.revoked_at IS NULL AND s.expires_at > $4
         AND (s.refresh_token_hash = $2
              OR (s.previous_token_hash = $2 AND s.rotated_at > $5 AND s.refresh_token_hash = $3))
       RETURNING s.id, s.tenant_id, ${accountJsonOf('s.user_id')} AS account`,
      [
        family,
        change.presented,
        change.successorHash,
        change.now,
        change.rotatedAfter,
        change.expiresAt,
      ],
    );
    if (!row) {
      return undefined;
    }
    return {
      id: row.id,
      tenantId: row.tenant_id,
      account: row.account ? accountFromJson(row.account) : null,
    };
  }

  /** Ends the live session of `family` (a token of it was reused); returns it, if there was one. */
  async revokeFamily(
    manager: EntityManager,
    family: string,
    reason: SessionRevokeReason,
    now: Date,
  ): Promise<{ id: string; userId: string; tenantId: string | null } | undefined> {
    const row = await queryOne<{ id: string; user_id: string; tenant_id: string | null }>(
      manager,
      `UPDATE sessions SET revoked_at = $2, revoked_reason = $3
       WHERE refresh_family = $1 AND revoked_at IS NULL AND expires_at > $2
       RETURNING id, user_id, tenant_id`,
      [family, now, reason],
    );
    return row ? { id: row.id, userId: row.user_id, tenantId: row.tenant_id } : undefined;
  }

  async findByIdForUpdate(manager: EntityManager, id: string): Promise<LockedSession | null> {
    const row = await queryOne<LockedSessionRow>(
      manager,
      `${SELECT_LOCKED} WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ? toLockedSession(row) : null;
  }

  async rotate(
    manager: EntityManager,
    id: string,
    change: {
      refreshTokenHash: string;
      previousTokenHash: string | null;
      now: Date;
      expiresAt: Date;
      tenantId?: string | null;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE sessions SET refresh_token_hash = $2, previous_token_hash = $3, rotated_at = $4,
         last_used_at = $4, expires_at = $5,
         tenant_id = CASE WHEN $6 THEN $7 ELSE tenant_id END
       WHERE id = $1`,
      [
        id,
        change.refreshTokenHash,
        change.previousTokenHash,
        change.now,
        change.expiresAt,
        change.tenantId !== undefined,
        change.tenantId ?? null,
      ],
    );
  }

  /** Ends the given live sessions; returns the ids it ended. */
  async revoke(
    db: EntityManager | DataSource,
    where: { ids?: string[]; userId?: string; exceptId?: string; tenantId?: string },
    reason: SessionRevokeReason,
    now: Date,
  ): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      db,
      `UPDATE sessions SET revoked_at = $1, revoked_reason = $2
       WHERE revoked_at IS NULL
         AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[]))
         AND ($4::uuid IS NULL OR user_id = $4)
         AND ($5::uuid IS NULL OR id <> $5)
         AND ($6::varchar IS NULL OR tenant_id = $6)
       RETURNING id`,
      [
        now,
        reason,
        where.ids ?? null,
        where.userId ?? null,
        where.exceptId ?? null,
        where.tenantId ?? null,
      ],
    );
    return rows.map((row) => row.id);
  }

  // One statement on every request's path: it reads the published views of users and tenants.
  loadState(sessionId: string, now: Date): Promise<SessionStateRow | undefined> {
    return queryOne<SessionStateRow>(
      this.dataSource,
      `SELECT s.id AS session_id, s.user_id, s.tenant_id,
              (s.revoked_at IS NOT NULL OR s.expires_at <= $2) AS ended,
              (u.is_active AND u.deleted_at IS NULL) AS user_active,
              u.platform_role, m.role, m.status AS membership_status, t.status AS tenant_status,
              s.impersonator_id, u.must_change_password
       FROM sessions s
       JOIN account_directory u ON u.id = s.user_id
       LEFT JOIN membership_directory m ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id
       LEFT JOIN tenant_directory t ON t.id = s.tenant_id
       WHERE s.id = $1`,
      [sessionId, now],
    );
  }

  async countLive(): Promise<number> {
    const row = await queryOne<{ count: string }>(
      this.dataSource,
      `SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > now()`,
    );
    return Number(row?.count ?? 0);
  }
}
