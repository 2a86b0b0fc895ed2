import type { SchoolDirectorySetting, SchoolDomainSetting } from './tenant-settings.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { containsPattern, queryOne, queryRows } from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import type { TenantStatus } from './tenant.entity.js';

export interface TenantRow {
  id: string;
  name: string;
  status: TenantStatus;
  settings: Record<string, unknown>;
  plan: string | null;
  subscription: Record<string, unknown>;
  activated_at: Date | null;
  deactivated_at: Date | null;
  deactivation_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What a tenant list can be narrowed to; every field left out matches all. */
export interface TenantListFilter {
  /** Part of the name or the id, case-insensitive */
  q?: string;
  status?: TenantStatus;
  plan?: string;
}

export interface NewTenant {
  id: string;
  name: string;
  plan: string | null;
  settings: Record<string, unknown>;
  subscription: Record<string, unknown>;
}

const TENANT_COLUMNS = `id, name, status, settings, plan, subscription, activated_at, deactivated_at,
  deactivation_reason, created_at, updated_at`;

@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findById(id: string): Promise<TenantRow | undefined> {
    return queryOne<TenantRow>(
      this.dataSource,
      `SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = $1`,
      [id],
    );
  }

  /** Locks the row for the rest of the transaction; 404 TENANT_NOT_FOUND when absent. */
  async lockById(manager: EntityManager, id: string): Promise<TenantRow> {
    const tenant = await queryOne<TenantRow>(
      manager,
      `SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!tenant) {
      throw new AppException('TENANT_NOT_FOUND');
    }
    return tenant;
  }

  async saveSettings(
    manager: EntityManager,
    id: string,
    change: {
      settings: Record<string, unknown>;
      plan?: string;
      subscription: Record<string, unknown>;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE tenants SET settings = $2, plan = COALESCE($3, plan), subscription = $4,
         updated_at = now()
       WHERE id = $1`,
      [id, change.settings, change.plan ?? null, change.subscription],
    );
  }

  /** Which of these school domains (Google or Microsoft) another active tenant already claims. */
  async domainsClaimedElsewhere(
    manager: EntityManager,
    id: string,
    setting: SchoolDomainSetting,
    domains: string[],
  ): Promise<string[]> {
    if (domains.length === 0) {
      return [];
    }
    const rows = await queryRows<{ domain: string }>(
      manager,
      `SELECT DISTINCT d.domain FROM tenants t,
         jsonb_array_elements_text(
           CASE WHEN jsonb_typeof(t.settings -> $3::text) = 'array'
                THEN t.settings -> $3::text ELSE '[]'::jsonb END) AS d(domain)
       WHERE t.id <> $1 AND t.status = 'active' AND d.domain = ANY($2)`,
      [id, domains, setting],
    );
    return rows.map((row) => row.domain);
  }

  /** The row locked for the rest of the transaction, or undefined (nothing is locked then). */
  findForUpdate(manager: EntityManager, id: string): Promise<TenantRow | undefined> {
    return queryOne<TenantRow>(
      manager,
      `SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = $1 FOR UPDATE`,
      [id],
    );
  }

  /**
   * The tenant's `max_users` (null: no limit), its row locked until the transaction ends so
   * concurrent member additions count in turn. NO KEY: a new user row naming the tenant (its
   * FK's key-share lock, taken before this) must not deadlock with it.
   */
  async lockSeatLimit(manager: EntityManager, id: string): Promise<number | null> {
    const row = await queryOne<{ max_users: string | null }>(
      manager,
      `SELECT CASE WHEN jsonb_typeof(settings -> 'max_users') = 'number'
                   THEN settings ->> 'max_users' END AS max_users
       FROM tenants WHERE id = $1 FOR NO KEY UPDATE`,
      [id],
    );
    return row?.max_users ? Number(row.max_users) : null;
  }

  /** Whether a tenant of this id exists (a super admin names any). */
  async exists(id: string): Promise<boolean> {
    const row = await queryOne<{ found: number }>(
      this.dataSource,
      `SELECT 1 AS found FROM tenants WHERE id = $1`,
      [id],
    );
    return row !== undefined;
  }

  /** A new, active tenant; a concurrent creation of the same id → unique violation. */
  async insertActive(manager: EntityManager, tenant: NewTenant, now: Date): Promise<void> {
    await manager.query(
      `INSERT INTO tenants (id, name, status, settings, plan, subscription, activated_at)
       VALUES ($1, $2, 'active', $3, $4, $5, $6)`,
      [tenant.id, tenant.name, tenant.settings, tenant.plan, tenant.subscription, now],
    );
  }

  async reactivate(manager: EntityManager, tenant: NewTenant, now: Date): Promise<void> {
    await manager.query(
      `UPDATE tenants SET status = 'active', name = $2, settings = $3, plan = COALESCE($4, plan),
         subscription = $5, activated_at = $6, deactivated_at = NULL, deactivation_reason = NULL,
         updated_at = now()
       WHERE id = $1`,
      [tenant.id, tenant.name, tenant.settings, tenant.plan, tenant.subscription, now],
    );
  }

  async deactivate(manager: EntityManager, id: string, reason: string | null, now: Date) {
    await manager.query(
      `UPDATE tenants SET status = 'deactivated', deactivated_at = $2, deactivation_reason = $3,
         updated_at = now()
       WHERE id = $1`,
      [id, now, reason],
    );
  }

  /** One page of tenants by name (then id, so pages never overlap), and how many match. */
  async list(
    filter: TenantListFilter,
    page: { limit: number; offset: number },
  ): Promise<{ rows: TenantRow[]; total: number }> {
    const params: unknown[] = [];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where = ['TRUE'];
    if (filter.q) {
      const pattern = bind(containsPattern(filter.q));
      where.push(`(name ILIKE ${pattern} OR id ILIKE ${pattern})`);
    }
    if (filter.status !== undefined) {
      where.push(`status = ${bind(filter.status)}`);
    }
    if (filter.plan !== undefined) {
      where.push(`plan = ${bind(filter.plan)}`);
    }
    const conditions = where.join(' AND ');
    const totalRow = await queryOne<{ total: number }>(
      this.dataSource,
      `SELECT count(*)::int AS total FROM tenants WHERE ${conditions}`,
      params,
    );
    const rows = await queryRows<TenantRow>(
      this.dataSource,
      `SELECT ${TENANT_COLUMNS} FROM tenants WHERE ${conditions}
       ORDER BY name ASC, id ASC
       LIMIT ${bind(page.limit)} OFFSET ${bind(page.offset)}`,
      params,
    );
    return { rows, total: totalRow?.total ?? 0 };
  }

  /** The tenant, or 404 TENANT_NOT_FOUND. */
  async require(id: string): Promise<TenantRow> {
    const tenant = await this.findById(id);
    if (!tenant) {
      throw new AppException('TENANT_NOT_FOUND');
    }
    return tenant;
  }

  /**
   * The active tenants that list this domain in `settings.google_domains` (Google Workspace
   * `hd`) or `settings.microsoft_domains` (a Microsoft school's email domain); with a
   * `directory`, only those that also list the account's directory (its Microsoft tenant id).
   */
  async findActiveByDomain(
    setting: SchoolDomainSetting,
    domain: string,
    directory?: { setting: SchoolDirectorySetting; id: string },
  ): Promise<string[]> {
    const params = [domain.toLowerCase(), setting];
    const directoryClause = directory
      ? `AND jsonb_typeof(settings -> $4::text) = 'array' AND settings -> $4::text ? $3`
      : '';
    if (directory) {
      params.push(directory.id.toLowerCase(), directory.setting);
    }
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM tenants
       WHERE status = 'active' AND jsonb_typeof(settings -> $2::text) = 'array'
         AND settings -> $2::text ? $1 ${directoryClause}
       ORDER BY created_at, id`,
      params,
    );
    return rows.map((row) => row.id);
  }
}
