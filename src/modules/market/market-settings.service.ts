import { Injectable } from '@nestjs/common';
import type { TenantSettingsResponseDto } from '../tenants/dto/tenant-settings-response.dto.js';
import type { UpdateTenantSettingsDto } from '../tenants/dto/tenant-settings.dto.js';
import { TenantSettingsService } from '../tenants/tenant-settings.service.js';
import { MembershipsRepository } from '../users/memberships.repository.js';

/** The Service Market's settings changes: the tenant's own rules, plus room for its members. */
@Injectable()
export class MarketSettingsService {
  constructor(
    private readonly settings: TenantSettingsService,
    private readonly memberships: MembershipsRepository,
  ) {}

  get(tenantId: string): Promise<TenantSettingsResponseDto> {
    return this.settings.get(tenantId);
  }

  /** A `max_users` below the members the school has is refused (409), never applied silently. */
  update(tenantId: string, dto: UpdateTenantSettingsDto): Promise<TenantSettingsResponseDto> {
    return this.settings.update(tenantId, dto, (manager, settings) =>
      this.memberships.assertRoomForMembers(manager, tenantId, settings),
    );
  }
}
