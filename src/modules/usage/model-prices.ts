import type { ModelPrice } from '../tenants/tenant-settings.js';

/**
 * The platform's list prices in USD per 1,000 tokens (public list prices, rounded). A tenant's
 * `settings.model_prices[model]` overrides an entry; `default` prices a model not listed.
 */
export const PLATFORM_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4': { input_per_1k_usd: 0.03, output_per_1k_usd: 0.06 },
  'gpt-4-turbo': { input_per_1k_usd: 0.01, output_per_1k_usd: 0.03 },
  'gpt-4o': { input_per_1k_usd: 0.0025, output_per_1k_usd: 0.01 },
  'gpt-4o-mini': { input_per_1k_usd: 0.00015, output_per_1k_usd: 0.0006 },
  'gpt-3.5-turbo': { input_per_1k_usd: 0.0005, output_per_1k_usd: 0.0015 },
  'claude-3-5-sonnet': { input_per_1k_usd: 0.003, output_per_1k_usd: 0.015 },
  'claude-3-haiku': { input_per_1k_usd: 0.00025, output_per_1k_usd: 0.00125 },
  default: { input_per_1k_usd: 0.0025, output_per_1k_usd: 0.01 },
};

function isPrice(value: unknown): value is ModelPrice {
  const price = value as Partial<ModelPrice> | null;
  return (
    typeof price?.input_per_1k_usd === 'number' &&
    typeof price.output_per_1k_usd === 'number' &&
    price.input_per_1k_usd >= 0 &&
    price.output_per_1k_usd >= 0
  );
}

/** The price of a model: the tenant's entry, the platform's, the tenant's default, the platform's. */
export function priceFor(model: string, overrides: Record<string, unknown>): ModelPrice {
  const candidates = [overrides[model], PLATFORM_MODEL_PRICES[model], overrides.default];
  return candidates.find(isPrice) ?? PLATFORM_MODEL_PRICES.default;
}

/** The cost in USD with 6 decimals (numeric(14,6)), rounded half up to the micro-dollar. */
export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): string {
  // Per-token prices times 1e3 are micro-dollars per 1k tokens divided by 1k: one rounding only.
  const micros = Math.round(
    (inputTokens * price.input_per_1k_usd + outputTokens * price.output_per_1k_usd) * 1000,
  );
  return (micros / 1_000_000).toFixed(6);
}
