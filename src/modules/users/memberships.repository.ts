import { Entitlements } from '../payments/entitlements/entitlements.service.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TenantRole } from '../../common/auth/roles.js';
import { isUniqueViolation, queryRows } from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import type { TenantStatus } from '../tenants/tenant.entity.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import type { MembershipStatus } from './membership.entity.js';

export interface MembershipView {
  tenantId: string;
  tenantName: string;
  tenantStatus: TenantStatus;
  role: TenantRole;
  status: MembershipStatus;
  joinedAt: Date;
}

interface MembershipRow {
  tenant_id: string;
  tenant_name: string;
  tenant_status: TenantStatus;
  role: TenantRole;
  status: MembershipStatus;
  joined_at: Date;
}

/**
 * The memberships of the user whose id is `userIdSql`, as one JSON array inside a caller's
 * statement (sign-in and refresh read them with the account in one round trip).
 */
export function membershipsJsonOf(userIdSql: string): string {
  return `COALESCE((SELECT json_agg(json_build_object(
      'tenant_id', m.tenant_id, 'tenant_name', t.name, 'tenant_status', t.status,
      'role', m.role, 'status', m.status, 'joined_at', m.joined_at)
      ORDER BY m.joined_at, m.tenant_id)
    FROM memberships m JOIN tenant_directory t ON t.id = m.tenant_id
    WHERE m.user_id = ${userIdSql}), '[]'::json)`;
}

/** What `membershipsJsonOf` read (its dates come as ISO text). */
export function membershipsFromJson(
  rows: (Omit<MembershipRow, 'joined_at'> & { joined_at: string })[],
): MembershipView[] {
  return rows.map((row) => toMembershipView({ ...row, joined_at: new Date(row.joined_at) }));
}

function toMembershipView(row: MembershipRow): MembershipView {
  return {
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    tenantStatus: row.tenant_status,
    role: row.role,
    status: row.status,
    joinedAt: row.joined_at,
  };
}

@Injectable()
export class MembershipsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsRepository,
    private readonly entitlements: Entitlements,
  ) {}

  /**
   * Whether the address already belongs to a member of the tenant: one query whether or not
   * the address has an account, so an invitation's timing says nothing about it.
   */
  async hasMemberWithEmail(tenantId: string, email: string): Promise<boolean> {
    const rows = await queryRows<{ found: number }>(
      this.dataSource,
      `SELECT 1 AS found FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE u.email = $1 AND u.deleted_at IS NULL AND m.tenant_id = $2`,
      [email, tenantId],
    );
    return rows.length > 0;
  }

  /** The user's memberships with their tenants, oldest first. */
  async listForUser(userId: string, manager?: EntityManager): Promise<MembershipView[]> {
    const rows = await queryRows<MembershipRow>(
      manager ?? this.dataSource,
      `SELECT m.tenant_id, t.name AS tenant_name, t.status AS tenant_status, m.role, m.status,
              m.joined_at
       FROM memberships m JOIN tenant_directory t ON t.id = m.tenant_id
       WHERE m.user_id = $1
       ORDER BY m.joined_at, m.tenant_id`,
      [userId],
    );
    return rows.map(toMembershipView);
  }

  /** Adds the user to the tenant; an existing membership → 409 USER_ALREADY_MEMBER. */
  async insert(
    manager: EntityManager,
    userId: string,
    tenantId: string,
    role: TenantRole,
    username: string | null = null,
  ): Promise<void> {
    await this.reserveSeat(manager, tenantId, userId);
    try {
      await manager.query(
        `INSERT INTO memberships (user_id, tenant_id, role, username) VALUES ($1, $2, $3, $4)`,
        [userId, tenantId, role, username?.toLowerCase() ?? null],
      );
      await this.endOtherSchoolsManagement(manager, userId, tenantId);
    } catch (error) {
      if (isUniqueViolation(error, 'uq_memberships_user_tenant')) {
        throw new AppException('USER_ALREADY_MEMBER');
      }
      if (isUniqueViolation(error, 'uq_memberships_tenant_username')) {
        throw new AppException('USER_USERNAME_TAKEN');
      }
      throw error;
    }
  }

  /** Adds the membership unless the user already has one in that tenant (of any status). */
  async insertIfAbsent(
    manager: EntityManager,
    userId: string,
    tenantId: string,
    role: TenantRole,
  ): Promise<boolean> {
    await this.reserveSeat(manager, tenantId, userId);
    const rows = await queryRows<{ id: string }>(
      manager,
      `INSERT INTO memberships (user_id, tenant_id, role) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, tenant_id) DO NOTHING RETURNING id`,
      [userId, tenantId, role],
    );
    if (rows.length > 0) {
      await this.endOtherSchoolsManagement(manager, userId, tenantId);
    }
    return rows.length > 0;
  }

  /** A member of a second school manages their own account: no school may reset it since. */
  private async endOtherSchoolsManagement(
    manager: EntityManager,
    userId: string,
    tenantId: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE users SET managed_by_tenant_id = NULL WHERE id = $1 AND managed_by_tenant_id <> $2`,
      [userId, tenantId],
    );
  }

  /** Members of the tenant, active and suspended (what counts against `max_users`). */
  async countForTenant(tenantId: string, manager?: EntityManager): Promise<number> {
    const rows = await queryRows<{ count: string }>(
      manager ?? this.dataSource,
      `SELECT count(*) AS count FROM memberships WHERE tenant_id = $1`,
      [tenantId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** Members (any membership status) of each of these tenants; absent ones have none. */
  async countByTenant(tenantIds: string[]): Promise<Map<string, number>> {
    if (tenantIds.length === 0) {
      return new Map();
    }
    const rows = await queryRows<{ tenant_id: string; count: number }>(
      this.dataSource,
      `SELECT tenant_id, count(*)::int AS count FROM memberships
       WHERE tenant_id = ANY($1) GROUP BY tenant_id`,
      [tenantIds],
    );
    return new Map(rows.map((row) => [row.tenant_id, row.count]));
  }

  /**
   * Refuses a `max_users` below the members the tenant has (409 with both numbers). Call it
   * with the tenant row locked, so no member is added between the count and the change.
   */
  async assertRoomForMembers(
    manager: EntityManager,
    tenantId: string,
    settings: Record<string, unknown>,
  ): Promise<void> {
    const maxUsers = settings.max_users;
    if (typeof maxUsers !== 'number') {
      return;
    }
    const members = await this.countForTenant(tenantId, manager);
    if (members > maxUsers) {
      throw new AppException('TENANT_MAX_USERS_BELOW_MEMBERS', undefined, {
        max_users: maxUsers,
        members,
      });
    }
  }

  /**
   * Refuses a new member beyond the tenant's `max_users` (409 TENANT_USER_LIMIT_REACHED). The
   * tenant row stays locked until the caller's transaction ends (`lockSeatLimit`), so
   * concurrent additions count in turn and never overshoot.
   */
  private async reserveSeat(manager: EntityManager, tenantId: string, userId: string) {
    // While the school's Stripe plan is live, its max_users wins over the Service Market's.
    const marketMax = await this.tenants.lockSeatLimit(manager, tenantId);
    const maxUsers = (await this.entitlements.forTenant(tenantId))?.maxUsers ?? marketMax;
    if (maxUsers === null) {
      return;
    }
    const [seats] = await queryRows<{ already: boolean; count: string }>(
      manager,
      `SELECT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id = $2) AS already,
              (SELECT count(*) FROM memberships WHERE tenant_id = $1) AS count`,
      [tenantId, userId],
    );
    if (!seats?.already && Number(seats?.count ?? 0) >= maxUsers) {
      throw new AppException('TENANT_USER_LIMIT_REACHED', undefined, { max_users: maxUsers });
    }
  }

  /** Of these user ids, the members of the tenant (any membership status). */
  async membersAmong(tenantId: string, userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) {
      return new Set();
    }
    const rows = await queryRows<{ user_id: string }>(
      this.dataSource,
      `SELECT user_id FROM memberships WHERE tenant_id = $1 AND user_id = ANY($2::uuid[])`,
      [tenantId, userIds],
    );
    return new Set(rows.map((row) => row.user_id));
  }

  /** Memberships of the tenant that began in [from, to). */
  async countJoinedBetween(tenantId: string, from: Date, to: Date): Promise<number> {
    const rows = await queryRows<{ count: string }>(
      this.dataSource,
      `SELECT count(*) AS count FROM memberships
       WHERE tenant_id = $1 AND joined_at >= $2 AND joined_at < $3`,
      [tenantId, from, to],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** The user's role in the tenant, when they are an active member of it with a usable account. */
  async activeRole(userId: string, tenantId: string): Promise<TenantRole | undefined> {
    const rows = await queryRows<{ role: TenantRole }>(
      this.dataSource,
      `SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.user_id = $1 AND m.tenant_id = $2 AND m.status = 'active'
         AND u.is_active AND u.deleted_at IS NULL`,
      [userId, tenantId],
    );
    return rows[0]?.role;
  }

  /** Active admins of the tenant with a usable account and an address, in id order. */
  activeAdminEmails(tenantId: string): Promise<Array<{ user_id: string; email: string }>> {
    return queryRows<{ user_id: string; email: string }>(
      this.dataSource,
      `SELECT u.id AS user_id, u.email FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.tenant_id = $1 AND m.role = 'admin' AND m.status = 'active'
         AND u.is_active AND u.deleted_at IS NULL AND u.email IS NOT NULL
       ORDER BY u.id`,
      [tenantId],
    );
  }
}
