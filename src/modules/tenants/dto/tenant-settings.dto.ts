import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { IsCalendarDate } from '../../../common/validation/calendar-date.js';
import type { ModelPrice } from '../tenant-settings.js';

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DOMAIN = /^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MODEL = /^[A-Za-z0-9._:/-]{1,64}$/;
const MAX_PRICE_PER_1K = 1000;

/** `null` clears the field (no limit); absent leaves it as it is. */
const Nullable = () => ValidateIf((_object: object, value: unknown) => value !== null);

export class TenantFeaturesDto {
  @IsOptional() @IsBoolean() rag?: boolean;
  @IsOptional() @IsBoolean() chat?: boolean;
  @IsOptional() @IsBoolean() quiz?: boolean;
  /** Off: the tenant's API keys and their administration answer 403 TENANT_FEATURE_DISABLED */
  @IsOptional() @IsBoolean() api_integration?: boolean;
}

export class TenantConfigLimitsDto {
  /** @example 1000000 */
  @IsOptional() @Nullable() @IsInt() @Min(0) @Max(1e12) daily_tokens?: number | null;
  /** @example 20000000 */
  @IsOptional() @Nullable() @IsInt() @Min(0) @Max(1e13) monthly_tokens?: number | null;
  /** @example 50 */
  @IsOptional() @Nullable() @IsInt() @Min(1) @Max(102_400) max_file_size_mb?: number | null;
}

export class TenantBrandingDto {
  /** An https URL; @example https://cdn.hallym.ac.kr/logo.png */
  @IsOptional()
  @Nullable()
  @IsUrl({ protocols: ['https'], require_protocol: true })
  @MaxLength(2048)
  logo_url?: string | null;

  /** @example #003366 */
  @IsOptional()
  @Nullable()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'primary_color must be a colour like #003366' })
  primary_color?: string | null;
}

export class TenantConfigDto {
  /** New members beyond this answer 409 TENANT_USER_LIMIT_REACHED; null: no limit. @example 2000 */
  @IsOptional() @Nullable() @IsInt() @Min(1) @Max(10_000_000) max_users?: number | null;

  /** @example 10240 */
  @IsOptional() @Nullable() @IsInt() @Min(1) @Max(100_000_000) max_storage_mb?: number | null;

  @IsOptional() @ValidateNested() @Type(() => TenantFeaturesDto) features?: TenantFeaturesDto;

  @IsOptional() @ValidateNested() @Type(() => TenantConfigLimitsDto) limits?: TenantConfigLimitsDto;

  @IsOptional() @ValidateNested() @Type(() => TenantBrandingDto) branding?: TenantBrandingDto;

  /** Google Workspace domains whose users join as students (replaces the list). @example ["hallym.ac.kr"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(DOMAIN, { each: true, message: 'google_domains: lower-case domain names' })
  google_domains?: string[];

  /** Microsoft 365 Education email domains whose users join as students, and whose addresses count as verified (replaces the list). @example ["hallym.ac.kr"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(DOMAIN, { each: true, message: 'microsoft_domains: lower-case domain names' })
  microsoft_domains?: string[];

  /** The school's Microsoft Entra tenant ids (the `tid` of its accounts, lower case): `microsoft_domains` count only for accounts of these tenants, since anyone can add any domain to a tenant of their own (replaces the list). @example ["9188040d-6c67-4c5b-b112-36a304b66dad"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(TENANT_ID, {
    each: true,
    message: 'microsoft_tenant_ids: lower-case tenant ids (GUIDs)',
  })
  microsoft_tenant_ids?: string[];

  /** Prices overriding the platform's, USD per 1,000 tokens (replaces the map). @example {"gpt-4o": {"input_per_1k_usd": 0.002, "output_per_1k_usd": 0.008}} */
  @IsOptional()
  @IsModelPriceMap()
  model_prices?: Record<string, ModelPrice>;

  /** Teachers may assign license seats to students of their own classes (default false) */
  @IsOptional() @IsBoolean() teachers_assign_seats?: boolean;

  /** A student without a seat takes a free one at sign-in (default false) */
  @IsOptional() @IsBoolean() auto_assign_seats?: boolean;
}

export class TenantSubscriptionDto {
  /** @example premium */
  @IsOptional() @IsString() @Matches(/^[a-z0-9_-]{1,32}$/) plan?: string;
  /** @example 2025-09-01 */
  @IsOptional() @Nullable() @IsCalendarDate() start_date?: string | null;
  /** On or after start_date (the stored one when not sent) @example 2026-08-31 */
  @IsOptional() @Nullable() @IsCalendarDate() end_date?: string | null;
  @IsOptional() @IsBoolean() auto_renew?: boolean;
}

/** `PUT /mt/tenant/{id}/settings`: the sections sent are merged into what is stored. */
export class UpdateTenantSettingsDto {
  @IsOptional() @ValidateNested() @Type(() => TenantConfigDto) config?: TenantConfigDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => TenantSubscriptionDto)
  subscription?: TenantSubscriptionDto;
}

function IsModelPriceMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isModelPriceMap',
      validator: {
        validate: (value: unknown) => isModelPriceMap(value),
        defaultMessage: () =>
          'model_prices: up to 100 models, each { input_per_1k_usd, output_per_1k_usd } between 0 and 1000',
      },
    },
    options,
  );
}

function isModelPriceMap(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return (
    entries.length <= 100 &&
    entries.every(([model, price]) => {
      if (!MODEL.test(model) || !price || typeof price !== 'object') {
        return false;
      }
      const keys = Object.keys(price);
      const { input_per_1k_usd: input, output_per_1k_usd: output } = price as Record<
        string,
        unknown
      >;
      return keys.length === 2 && isPrice(input) && isPrice(output);
    })
  );
}

function isPrice(value: unknown): boolean {
  return (
    typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_PRICE_PER_1K
  );
}
