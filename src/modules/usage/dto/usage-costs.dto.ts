export class ModelCostDto {
  /** @example gpt-4 */
  model!: string;
  /** @example 5000000 */
  input_tokens!: number;
  /** @example 2000000 */
  output_tokens!: number;
  /** USD, rounded to cents @example 85 */
  cost_usd!: number;
}

export class UserCostDto {
  /** @example 3f1c2b9d-8e7a-4a8e-9a4e-5b0c1c1e7d0f */
  user_id!: string;
  /** null for a deleted account @example 김철수 */
  name!: string | null;
  /** @example 15.2 */
  cost_usd!: number;
  /** @example 1200000 */
  tokens!: number;
}

export class DailyCostDto {
  /** @example 2026-01-29 */
  date!: string;
  /** @example 4.5 */
  cost_usd!: number;
}

/** `GET /mt/tenant/{id}/stats/costs`: costs in USD, rounded to cents. */
export class TenantCostsDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** @example 30d */
  period!: string;
  /** @example 125.5 */
  total_cost_usd!: number;
  /** Most expensive first */
  by_model!: ModelCostDto[];
  /** The ten members with the highest cost */
  by_user_top10!: UserCostDto[];
  /** Every day of the period, newest first, zero-filled */
  daily_trend!: DailyCostDto[];
}
