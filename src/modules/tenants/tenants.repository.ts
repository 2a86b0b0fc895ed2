import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import type { TenantStatus } from './tenant.entity.js';
import './tenants.errors.js';

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

  /** The tenant, or 404 TENANT_NOT_FOUND. */
  async require(id: string): Promise<TenantRow> {
    const tenant = await this.findById(id);
    if (!tenant) {
      throw new AppException('TENANT_NOT_FOUND');
    }
    return tenant;
  }

  /**
   * The active tenants that list this Google Workspace domain in `settings.google_domains`
   * (a handful of rows: tenants are few, so no index).
   */
  async findActiveByGoogleDomain(domain: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `SELECT id FROM tenants
       WHERE status = 'active' AND jsonb_typeof(settings -> 'google_domains') = 'array'
         AND settings -> 'google_domains' ? $1
       ORDER BY created_at, id`,
      [domain.toLowerCase()],
    );
    return rows.map((row) => row.id);
  }
}
