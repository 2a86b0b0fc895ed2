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
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { PlanFeaturesDto } from './plan-features.dto.js';

const lowerCase = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim().toLowerCase() : value;
const trimmed = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export const CURRENCY_PATTERN = /^[a-z]{3}$/;
/** Stripe's own ceiling for a unit amount. */
export const MAX_UNIT_AMOUNT = 99_999_999;

/** seat_based only on a school plan (subscription_plans has the same CHECK). */
function SeatsForSchoolsOnly(): PropertyDecorator {
  return ValidateBy({
    name: 'seatsForSchoolsOnly',
    validator: {
      validate: (value: unknown, args) =>
        value !== true || (args?.object as { audience?: unknown }).audience === 'school',
      defaultMessage: () => 'seat_based is for school plans (audience school) only',
    },
  });
}

export class CreatePlanDto {
  /** @example Premium */
  @Transform(trimmed) @IsString() @MinLength(1) @MaxLength(100) name!: string;

  /** @example Unlimited quizzes and a larger request budget */
  @IsOptional() @IsString() @MaxLength(2000) description?: string;

  /** The price in minor units of the currency (cents, won), an integer. @example 990 */
  @IsInt() @Min(0) @Max(MAX_UNIT_AMOUNT) unit_amount!: number;

  /** ISO 4217, lower case as Stripe writes it (upper case is accepted). @example usd */
  @Transform(lowerCase)
  @IsString()
  @Matches(CURRENCY_PATTERN, { message: 'currency must be a three-letter ISO 4217 code' })
  currency!: string;

  /** @example month */
  @IsIn(['month', 'year']) interval!: 'month' | 'year';

  /** @example 14 */
  @IsOptional() @IsInt() @Min(0) @Max(730) trial_days?: number;

  @IsOptional() @ValidateNested() @Type(() => PlanFeaturesDto) features?: PlanFeaturesDto;

  /** A school plan priced per seat: checkout takes the number of seats as `quantity`. */
  @IsOptional() @IsBoolean() @SeatsForSchoolsOnly() seat_based?: boolean;

  /** `individual`: any signed-in user buys it for themselves; `school`: a school admin, for the school. @example individual */
  @IsIn(['individual', 'school']) audience!: 'individual' | 'school';

  /** Sold from the start (default true). */
  @IsOptional() @IsBoolean() is_active?: boolean;

  /**
   * Adopt a price that already exists in Stripe instead of creating one; it must agree with
   * unit_amount, currency and interval. @example price_1PzQ2bLkdIwHu7ix
   */
  @IsOptional() @IsString() @Matches(/^price_[A-Za-z0-9]{1,200}$/) stripe_price_id?: string;
}
