import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import type { DataSource, EntityManager } from 'typeorm';
import { AppException } from '../../common/errors/app.exception.js';
import type { TenantConfigDto, UpdateTenantSettingsDto } from './dto/tenant-settings.dto.js';
import {
  mapSubscription,
  type TenantSettingsResponseDto,
} from './dto/tenant-settings-response.dto.js';
import { assertSubscriptionInOrder, readTenantConfig } from './tenant-settings.js';
import { TenantsRepository, type TenantRow } from './tenants.repository.js';

const MERGED_SECTIONS = ['features', 'limits', 'branding'] as const;

/**
 * A check of the settings about to be stored, run with the tenant row locked (a member count
 * lives in another module: it comes in this way).
 */
export type SettingsCheck = (
  manager: EntityManager,
  settings: Record<string, unknown>,
) => Promise<void>;

/** A tenant's configuration and subscription, as the Service Market reads and changes them. */
@Injectable()
export class TenantSettingsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsRepository,
    private readonly invalidation: CacheInvalidation,
  ) {}

  async get(tenantId: string): Promise<TenantSettingsResponseDto> {
    return mapSettings(await this.tenants.require(tenantId));
  }

  /** The sections sent are merged into what is stored; `null` clears a value. */
  async update(
    tenantId: string,
    dto: UpdateTenantSettingsDto,
    check?: SettingsCheck,
  ): Promise<TenantSettingsResponseDto> {
    await this.dataSource.transaction(async (manager) => {
      const tenant = await this.tenants.lockById(manager, tenantId);
      for (const [setting, code] of [
        ['google_domains', 'TENANT_GOOGLE_DOMAIN_TAKEN'],
        ['microsoft_domains', 'TENANT_MICROSOFT_DOMAIN_TAKEN'],
      ] as const) {
        const domains = dto.config?.[setting] ?? [];
        const claimed = await this.tenants.domainsClaimedElsewhere(
          manager,
          tenantId,
          setting,
          domains,
        );
        if (claimed.length > 0) {
          throw new AppException(code, undefined, { domains: claimed });
        }
      }
      const settings = mergeConfig(tenant.settings, dto.config);
      const subscription = mergeSection(tenant.subscription, dto.subscription, ['plan']);
      assertSubscriptionInOrder(subscription);
      await check?.(manager, settings);
      await this.tenants.saveSettings(manager, tenantId, {
        settings,
        plan: dto.subscription?.plan,
        subscription,
      });
      this.invalidation.changed(manager, 'tenant', [tenantId]);
    });
    return this.get(tenantId);
  }
}

export function mapSettings(tenant: TenantRow): TenantSettingsResponseDto {
  return {
    tenant_id: tenant.id,
    config: readTenantConfig(tenant.settings),
    subscription: mapSubscription(tenant),
  };
}

export function mergeConfig(
  stored: Record<string, unknown>,
  change: TenantConfigDto | undefined,
): Record<string, unknown> {
  if (!change) {
    return stored;
  }
  const merged: Record<string, unknown> = { ...stored };
  for (const [key, value] of Object.entries(change)) {
    if (value === undefined) {
      continue;
    }
    merged[key] = (MERGED_SECTIONS as readonly string[]).includes(key)
      ? mergeSection(stored[key], value as object)
      : value;
  }
  return merged;
}

function mergeSection(
  stored: unknown,
  change: object | undefined,
  skip: string[] = [],
): Record<string, unknown> {
  const merged: Record<string, unknown> =
    stored && typeof stored === 'object' ? { ...(stored as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(change ?? {})) {
    if (value !== undefined && !skip.includes(key)) {
      merged[key] = value;
    }
  }
  return merged;
}
