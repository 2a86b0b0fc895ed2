import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CURRENCY_PATTERN, MAX_UNIT_AMOUNT } from './create-plan.dto.js';
import { PlanFeaturesDto } from './plan-features.dto.js';

/** Only what is sent changes. A new amount, currency or interval makes a new Stripe price. */
export class UpdatePlanDto {
  /** @example Premium Plus */
  @IsOptional() @IsString() @MinLength(1) @MaxLength(100) name?: string;

  /** null clears it. @example Everything in Premium, and priority support */
  @IsOptional()
  @ValidateIf((_object: object, value: unknown) => value !== null)
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** @example 1290 */
  @IsOptional() @IsInt() @Min(0) @Max(MAX_UNIT_AMOUNT) unit_amount?: number;

  /** @example usd */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'currency must be a three-letter ISO 4217 code' })
  currency?: string;

  @IsOptional() @IsIn(['month', 'year']) interval?: 'month' | 'year';

  /** @example 7 */
  @IsOptional() @IsInt() @Min(0) @Max(730) trial_days?: number;

  /** Replaces the plan's features. */
  @IsOptional() @ValidateNested() @Type(() => PlanFeaturesDto) features?: PlanFeaturesDto;

  /** false: no longer sold; subscribers keep it. */
  @IsOptional() @IsBoolean() is_active?: boolean;
}
