import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { PlatformRole, TenantRole } from '../../common/auth/roles.js';
import { containsPattern, queryOne, queryRows } from '../../common/database/sql.js';
import type { MembershipStatus } from './membership.entity.js';

export interface UserListFilter {
  tenantId?: string;
  role?: TenantRole;
  status?: 'active' | 'suspended' | 'inactive';
  q?: string;
  createdAfter?: string;
}

export interface UserListOrder {
  sort: 'created_at' | 'last_login_at' | 'email';
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** A user and, when a tenant is in scope, their membership there. */
export interface MemberRow {
  id: string;
  email: string | null;
  full_name: string;
  username: string | null;
  phone: string | null;
  grade_level: string | null;
  profile_image_url: string | null;
  preferences: Record<string, unknown>;
  platform_role: PlatformRole | null;
  is_active: boolean;
  must_change_password: boolean;
  email_verified_at: Date | null;
  last_login_at: Date | null;
  locked_until: Date | null;
  /** The school that manages the account (null: its owner does) */
  managed_by_tenant_id: string | null;
  created_at: Date;
  updated_at: Date;
  tenant_id: string | null;
  role: TenantRole | null;
  membership_status: MembershipStatus | null;
}

const USER_COLUMNS = `u.id, u.email, u.full_name, u.username, u.phone, u.grade_level,
  u.profile_image_url, u.preferences, u.platform_role, u.is_active, u.must_change_password,
  u.email_verified_at,
  u.last_login_at, u.locked_until, u.managed_by_tenant_id, u.created_at, u.updated_at`;

/**
 * Members as admins read and change them (the user-admin module's routes); the user's own
 * changes live in UsersRepository.
 */
@Injectable()
export class MemberAdminRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(
    filter: UserListFilter,
    order: UserListOrder,
  ): Promise<{ rows: MemberRow[]; total: number }> {
    const params: unknown[] = [];
    const where = ['u.deleted_at IS NULL'];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const scoped = filter.tenantId !== undefined;
    if (scoped) {
      where.push(`m.tenant_id = ${bind(filter.tenantId)}`);
      if (filter.role) where.push(`m.role = ${bind(filter.role)}`);
      if (filter.status === 'active') where.push(`m.status = 'active' AND u.is_active`);
      if (filter.status === 'suspended') where.push(`m.status = 'suspended'`);
    } else {
      if (filter.role) {
        where.push(
          `EXISTS (SELECT 1 FROM memberships r WHERE r.user_id = u.id AND r.role = ${bind(filter.role)})`,
        );
      }
      if (filter.status === 'active') where.push('u.is_active');
      if (filter.status === 'suspended') {
        where.push(
          `EXISTS (SELECT 1 FROM memberships r WHERE r.user_id = u.id AND r.status = 'suspended')`,
        );
      }
    }
    if (filter.status === 'inactive') where.push('NOT u.is_active');
    if (filter.q) {
      const pattern = bind(containsPattern(filter.q));
      where.push(`(u.email ILIKE ${pattern} OR u.full_name ILIKE ${pattern})`);
    }
    if (filter.createdAfter) where.push(`u.created_at > ${bind(filter.createdAfter)}::timestamptz`);
    const from = scoped ? 'memberships m JOIN users u ON u.id = m.user_id' : 'users u';
    const membership = scoped
      ? 'm.tenant_id, m.role, m.status AS membership_status'
      : 'NULL AS tenant_id, NULL AS role, NULL AS membership_status';
    const direction = order.order === 'asc' ? 'ASC' : 'DESC';
    // Only last_login_at has nulls worth pushing last; elsewhere the index order must match.
    const nulls = order.sort === 'last_login_at' ? ' NULLS LAST' : '';
    // Deleted accounts keep no memberships, so a tenant's count needs no join to users unless
    // a filter reads users' columns (the join doubled the cost of a page on 100k members).
    const membershipOnly =
      scoped &&
      !filter.q &&
      !filter.createdAfter &&
      filter.status !== 'active' &&
      filter.status !== 'inactive';
    const totalRow = await queryOne<{ total: string }>(
      this.dataSource,
      membershipOnly
        ? // where[0] is the one condition on users (not deleted)
          `SELECT count(*) AS total FROM memberships m WHERE ${where.slice(1).join(' AND ')}`
        : `SELECT count(*) AS total FROM ${from} WHERE ${where.join(' AND ')}`,
      params,
    );
    const rows = await queryRows<MemberRow>(
      this.dataSource,
      `SELECT ${USER_COLUMNS}, ${membership} FROM ${from}
       WHERE ${where.join(' AND ')}
       ORDER BY u.${order.sort} ${direction}${nulls}, u.id ${direction}
       LIMIT ${bind(order.limit)} OFFSET ${bind(order.offset)}`,
      params,
    );
    return { rows, total: Number(totalRow?.total ?? 0) };
  }

  /** The user, with their membership in `tenantId` when given (null fields when not a member). */
  findMember(userId: string, tenantId: string | undefined): Promise<MemberRow | undefined> {
    return queryOne<MemberRow>(
      this.dataSource,
      `SELECT ${USER_COLUMNS}, m.tenant_id, m.role, m.status AS membership_status
       FROM users u LEFT JOIN memberships m ON m.user_id = u.id AND m.tenant_id = $2
       WHERE u.id = $1 AND u.deleted_at IS NULL`,
      [userId, tenantId ?? null],
    );
  }

  async countMemberships(userId: string): Promise<number> {
    const row = await queryOne<{ count: string }>(
      this.dataSource,
      `SELECT count(*) FROM memberships WHERE user_id = $1`,
      [userId],
    );
    return Number(row?.count ?? 0);
  }

  async updateMembership(
    manager: EntityManager,
    userId: string,
    tenantId: string,
    change: { role?: TenantRole; status?: MembershipStatus },
  ): Promise<void> {
    await manager.query(
      `UPDATE memberships SET role = COALESCE($3, role), status = COALESCE($4, status)
       WHERE user_id = $1 AND tenant_id = $2`,
      [userId, tenantId, change.role ?? null, change.status ?? null],
    );
  }

  async updateAccount(
    manager: EntityManager,
    userId: string,
    change: { isActive?: boolean; platformRole?: PlatformRole | null },
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET is_active = COALESCE($2, is_active),
         platform_role = CASE WHEN $3 THEN $4 ELSE platform_role END, updated_at = now()
       WHERE id = $1`,
      [
        userId,
        change.isActive ?? null,
        change.platformRole !== undefined,
        change.platformRole ?? null,
      ],
    );
  }

  async removeMembership(manager: EntityManager, userId: string, tenantId: string): Promise<void> {
    await manager.query(`DELETE FROM memberships WHERE user_id = $1 AND tenant_id = $2`, [
      userId,
      tenantId,
    ]);
  }

  /** The account stays for the record (audit, history); its memberships go with it. */
  async softDelete(manager: EntityManager, userId: string, now: Date): Promise<void> {
    await manager.query(`UPDATE users SET deleted_at = $2, updated_at = now() WHERE id = $1`, [
      userId,
      now,
    ]);
    await manager.query(`DELETE FROM memberships WHERE user_id = $1`, [userId]);
  }

  async unlock(userId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE users SET failed_login_count = 0, locked_until = NULL WHERE id = $1`,
      [userId],
    );
  }
}
