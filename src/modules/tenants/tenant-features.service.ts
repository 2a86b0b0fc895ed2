import { Injectable } from '@nestjs/common';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { TtlCache } from '../../common/cache/ttl-cache.js';
import { AppException } from '../../common/errors/app.exception.js';
import { readTenantConfig, type TenantConfig, type TenantFeature } from './tenant-settings.js';
import { TenantsRepository } from './tenants.repository.js';

/** How long another instance may apply settings changed elsewhere (this one drops them at once). */
const SETTINGS_CACHE_TTL_MS = 5000;
const SETTINGS_TOPIC = 'tenant-settings';

/** A tenant's configuration on the request path (features, limits), cached briefly. */
@Injectable()
export class TenantFeatures {
  private readonly configs = new TtlCache<string, TenantConfig | null>(SETTINGS_CACHE_TTL_MS);

  constructor(
    private readonly tenants: TenantsRepository,
    private readonly invalidation: CacheInvalidation,
  ) {
    invalidation.on(SETTINGS_TOPIC, (ids) => {
      for (const id of ids) {
        this.configs.delete(id);
      }
    });
  }

  /** 403 TENANT_FEATURE_DISABLED when the tenant's plan has the feature off. */
  async assertEnabled(tenantId: string, feature: TenantFeature): Promise<void> {
    const config = await this.configs.get(tenantId, async () => {
      const tenant = await this.tenants.findById(tenantId);
      return tenant ? readTenantConfig(tenant.settings) : null;
    });
    if (config && !config.features[feature]) {
      throw new AppException('TENANT_FEATURE_DISABLED', undefined, { feature });
    }
  }

  forget(tenantId: string): void {
    this.configs.delete(tenantId);
    this.invalidation.publish(SETTINGS_TOPIC, [tenantId]);
  }
}
