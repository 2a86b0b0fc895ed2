import { AppException } from '../../common/errors/app.exception.js';

/** Per-model prices in USD per 1,000 tokens. */
export interface ModelPrice {
  input_per_1k_usd: number;
  output_per_1k_usd: number;
}

/** The settings keys listing a school's sign-in domains, per provider. */
export const SCHOOL_DOMAIN_SETTINGS = ['google_domains', 'microsoft_domains'] as const;
export type SchoolDomainSetting = (typeof SCHOOL_DOMAIN_SETTINGS)[number];

/**
 * The settings keys listing a school's own directories, for providers where anyone can make a
 * directory and put any domain in it (Microsoft Entra tenants): a domain counts only together
 * with one of these.
 */
export type SchoolDirectorySetting = 'microsoft_tenant_ids';

export const TENANT_FEATURES = ['rag', 'chat', 'quiz', 'api_integration'] as const;
export type TenantFeature = (typeof TENANT_FEATURES)[number];

/** A tenant's configuration (the `config` of the settings routes), with defaults for what is not set. */
export interface TenantConfig {
  /** null: no limit */
  max_users: number | null;
  max_storage_mb: number | null;
  features: Record<TenantFeature, boolean>;
  limits: {
    daily_tokens: number | null;
    monthly_tokens: number | null;
    max_file_size_mb: number | null;
  };
  branding: { logo_url: string | null; primary_color: string | null };
  /** Google Workspace domains whose users join this tenant as students. */
  google_domains: string[];
  /** Microsoft 365 Education email domains whose users join this tenant as students. */
  microsoft_domains: string[];
  /** The school's own Microsoft Entra tenant ids: `microsoft_domains` count only for these. */
  microsoft_tenant_ids: string[];
  /** Overrides of the platform's model prices (see usage/model-prices.ts). */
  model_prices: Record<string, ModelPrice>;
  /** Teachers may assign license seats to students of their own classes. */
  teachers_assign_seats: boolean;
  /** A student without a seat takes a free one at sign-in. */
  auto_assign_seats: boolean;
}

/** `tenants.settings` as stored (JSONB), read with defaults: every feature on, no limits. */
export function readTenantConfig(
  settings: Record<string, unknown> | null | undefined,
): TenantConfig {
  const stored = (settings ?? {}) as Partial<TenantConfig> & Record<string, unknown>;
  const features = (stored.features ?? {}) as Partial<Record<TenantFeature, boolean>>;
  const limits = (stored.limits ?? {}) as Partial<TenantConfig['limits']>;
  const branding = (stored.branding ?? {}) as Partial<TenantConfig['branding']>;
  return {
    max_users: numberOrNull(stored.max_users),
    max_storage_mb: numberOrNull(stored.max_storage_mb),
    features: Object.fromEntries(
      TENANT_FEATURES.map((feature) => [feature, features[feature] !== false]),
    ) as Record<TenantFeature, boolean>,
    limits: {
      daily_tokens: numberOrNull(limits.daily_tokens),
      monthly_tokens: numberOrNull(limits.monthly_tokens),
      max_file_size_mb: numberOrNull(limits.max_file_size_mb),
    },
    branding: {
      logo_url: typeof branding.logo_url === 'string' ? branding.logo_url : null,
      primary_color: typeof branding.primary_color === 'string' ? branding.primary_color : null,
    },
    google_domains: domainList(stored.google_domains),
    microsoft_domains: domainList(stored.microsoft_domains),
    microsoft_tenant_ids: domainList(stored.microsoft_tenant_ids),
    model_prices:
      stored.model_prices && typeof stored.model_prices === 'object' ? stored.model_prices : {},
    teachers_assign_seats: stored.teachers_assign_seats === true,
    auto_assign_seats: stored.auto_assign_seats === true,
  };
}

/** The strings of a stored list (domains, directory ids). */
function domainList(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((domain): domain is string => typeof domain === 'string')
    : [];
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/**
 * A subscription (as it will be stored: what was sent merged into what was) ends on or after
 * it starts; else 400 on `subscription.end_date`.
 */
export function assertSubscriptionInOrder(subscription: Record<string, unknown>): void {
  const start = subscription.start_date;
  const end = subscription.end_date;
  if (typeof start === 'string' && typeof end === 'string' && end < start) {
    const error = `end_date (${end}) must not be before start_date (${start})`;
    throw new AppException('COMMON_VALIDATION_FAILED', error, {
      fields: [{ field: 'subscription.end_date', errors: [error] }],
    });
  }
}
