import { Injectable } from '@nestjs/common';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { TtlCache } from '../../common/cache/ttl-cache.js';
import { AppException } from '../../common/errors/app.exception.js';
import { readTenantConfig, type TenantConfig, type TenantFeature } from './tenant-settings.js';
import { TenantsRepository } from './tenants.repository.js';

/** How long an instance that missed a settings change may apply the old ones. */
const SETTINGS_CACHE_TTL_MS = 5000;

/** A tenant's configuration on the request path (features, limits), cached briefly. */
@Injectable()
export class TenantFeatures {
  private readonly configs = new TtlCache<TenantConfig | null>(SETTINGS_CACHE_TTL_MS);

  constructor(
    private readonly tenants: TenantsRepository,
    invalidation: CacheInvalidation,
  ) {
    invalidation.on('tenant', (ids) => this.configs.drop(ids));
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
}
