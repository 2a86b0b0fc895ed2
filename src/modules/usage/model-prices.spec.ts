import { describe, expect, it } from '@jest/globals';
import { costUsd, priceFor } from './model-prices.js';

describe('model prices', () => {
  it('should price a known model from the platform table', () => {
    expect(costUsd(priceFor('gpt-4', {}), 1000, 1000)).toBe('0.090000');
  });

  it("should prefer the tenant's override, then its default, for unknown models", () => {
    const overrides = {
      'gpt-4': { input_per_1k_usd: 0.01, output_per_1k_usd: 0.02 },
      default: { input_per_1k_usd: 1, output_per_1k_usd: 2 },
    };
    expect(costUsd(priceFor('gpt-4', overrides), 1000, 500)).toBe('0.020000');
    expect(costUsd(priceFor('my-model', overrides), 1000, 0)).toBe('1.000000');
    expect(costUsd(priceFor('my-model', {}), 1000, 1000)).toBe('0.012500');
  });

  it('should ignore a malformed override', () => {
    const overrides = { 'gpt-4': { input_per_1k_usd: 'cheap' } };
    expect(costUsd(priceFor('gpt-4', overrides), 1000, 0)).toBe('0.030000');
  });

  it('should keep micro-dollars for tiny calls', () => {
    expect(costUsd(priceFor('gpt-4o-mini', {}), 1234, 0)).toBe('0.000185');
  });
});
