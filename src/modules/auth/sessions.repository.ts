import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { PlatformRole, TenantRole } from '../../common/auth/roles.js';
import { queryOne, queryRows } from '../../common/database/sql.js';
import { Session, type SessionRevokeReason } from './session.entity.js';

export interface NewSession {
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
}

@Injectable()
export class SessionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(Session);
  }

  insert(manager: EntityManager, session: NewSession): Promise<Session> {
    return this.repo(manager).save(
      this.repo(manager).create({
        userId: session.userId,
        tenantId: session.tenantId,
        refreshFamily: session.refreshFamily,
        refreshTokenHash: session.refreshTokenHash,
        userAgent: session.userAgent,
        ip: session.ip,
        createdAt: session.now,
        lastUsedAt: session.now,
        expiresAt: session.expiresAt,
      }),
    );
  }

  /** Live sessions of a user, oldest first. */
  listLive(userId: string, now: Date, manager?: EntityManager): Promise<Session[]> {
    return this.repo(manager)
      .createQueryBuilder('s')
      .where('s.user_id = :userId AND s.revoked_at IS NULL AND s.expires_at > :now', {
        userId,
        now,
      })
      .orderBy('s.created_at', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .getMany();
  }

  findByFamilyForUpdate(manager: EntityManager, family: string): Promise<Session | null> {
    return this.repo(manager)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.refresh_family = :family', { family })
      .getOne();
  }

  findByIdForUpdate(manager: EntityManager, id: string): Promise<Session | null> {
    return this.repo(manager)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = :id', { id })
      .getOne();
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
    await this.repo(manager).update(
      { id },
      {
        refreshTokenHash: change.refreshTokenHash,
        previousTokenHash: change.previousTokenHash,
        rotatedAt: change.now,
        lastUsedAt: change.now,
        expiresAt: change.expiresAt,
        ...(change.tenantId !== undefined ? { tenantId: change.tenantId } : {}),
      },
    );
  }

  async touch(manager: EntityManager, id: string, now: Date): Promise<void> {
    await this.repo(manager).update({ id }, { lastUsedAt: now });
  }

  /** Ends the given live sessions; returns the ids it ended. */
  async revoke(
    db: EntityManager | DataSource,
    where: { ids?: string[]; userId?: string; exceptId?: string },
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
       RETURNING id`,
      [now, reason, where.ids ?? null, where.userId ?? null, where.exceptId ?? null],
    );
    return rows.map((row) => row.id);
  }

  loadState(sessionId: string, now: Date): Promise<SessionStateRow | undefined> {
    return queryOne<SessionStateRow>(
      this.dataSource,
      `SELECT s.id AS session_id, s.user_id, s.tenant_id,
              (s.revoked_at IS NOT NULL OR s.expires_at <= $2) AS ended,
              (u.is_active AND u.deleted_at IS NULL) AS user_active,
              u.platform_role, m.role, m.status AS membership_status, t.status AS tenant_status
       FROM sessions s
       JOIN users u ON u.id = s.user_id
       LEFT JOIN memberships m ON m.user_id = s.user_id AND m.tenant_id = s.tenant_id
       LEFT JOIN tenants t ON t.id = s.tenant_id
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
