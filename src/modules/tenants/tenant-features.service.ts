import { Entitlements } from '../payments/entitlements/entitlements.service.js';
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
    private readonly entitlements: Entitlements,
    invalidation: CacheInvalidation,
  ) {
    invalidation.on('tenant', (ids) => this.configs.drop(ids));
  }

  /**
   * 403 TENANT_FEATURE_DISABLED when the feature is off: as the school's live Stripe plan sets
   * it, else as the Service Market set it.
   */
  async assertEnabled(tenantId: string, feature: TenantFeature): Promise<void> {
    const [config, plan] = await Promise.all([
      this.configOf(tenantId),
      this.entitlements.forTenant(tenantId),
    ]);
    const enabled = plan?.features[feature] ?? config?.features[feature] ?? true;
    if (config && !enabled) {
      throw new AppException('TENANT_FEATURE_DISABLED', undefined, { feature });
    }
  }

  /** The tenant's configuration as the Service Market set it (cached); null: no such tenant. */
  configOf(tenantId: string): Promise<TenantConfig | null> {
    return this.configs.get(tenantId, async () => {
      const tenant = await this.tenants.findById(tenantId);
      return tenant ? readTenantConfig(tenant.settings) : null;
    });
  }
}
