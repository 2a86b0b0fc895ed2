import type { TenantConfig } from '../tenant-settings.js';
import type { TenantRow } from '../tenants.repository.js';

export class TenantSubscriptionView {
  /** @example premium */
  plan!: string | null;
  /** @example 2025-09-01 */
  start_date!: string | null;
  /** @example 2026-08-31 */
  end_date!: string | null;
  auto_renew!: boolean;
}

/** The settings answer the Service Market reads: `config` (with google_domains, microsoft_domains, microsoft_tenant_ids and model_prices) and `subscription`. */
export class TenantSettingsResponseDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** max_users, max_storage_mb, features, limits, branding, google_domains, microsoft_domains, microsoft_tenant_ids, model_prices */
  config!: TenantConfig;
  subscription!: TenantSubscriptionView;
}

export function mapSubscription(tenant: TenantRow): TenantSubscriptionView {
  const stored = tenant.subscription;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    plan: tenant.plan,
    start_date: text(stored.start_date),
    end_date: text(stored.end_date),
    auto_renew: stored.auto_renew === true,
  };
}
