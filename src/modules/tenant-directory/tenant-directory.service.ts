import { Injectable } from '@nestjs/common';
import type { ListTenantsQueryDto } from '../tenants/dto/list-tenants.query.dto.js';
import { mapTenantSummary, type TenantPageDto } from '../tenants/dto/tenant-summary.dto.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { MembershipsRepository } from '../users/memberships.repository.js';

/**
 * Every school, page by page, for the platform's own callers (super admins, the Service
 * Market): the routes that reach it accept no one scoped to a single tenant.
 */
@Injectable()
export class TenantDirectoryService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly memberships: MembershipsRepository,
  ) {}

  async list(query: ListTenantsQueryDto): Promise<TenantPageDto> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const { rows, total } = await this.tenants.list(
      { q: query.q, status: query.status, plan: query.plan },
      { limit, offset },
    );
    const members = await this.memberships.countByTenant(rows.map((tenant) => tenant.id));
    return {
      items: rows.map((tenant) => mapTenantSummary(tenant, members.get(tenant.id) ?? 0)),
      total,
      limit,
      offset,
    };
  }
}
