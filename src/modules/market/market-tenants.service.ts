import { Injectable } from '@nestjs/common';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { mapTenantStatus, type TenantStatusDto } from './dto/tenant-status.dto.js';

/** A tenant's lifecycle as the Service Market drives it. */
@Injectable()
export class MarketTenantsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly memberships: MembershipsRepository,
  ) {}

  async status(tenantId: string): Promise<TenantStatusDto> {
    const tenant = await this.tenants.require(tenantId);
    return mapTenantStatus(tenant, await this.memberships.countForTenant(tenantId));
  }
}
