import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../../common/database/sql.js';

@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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
