import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { IsTenantId } from '../../../common/validation/tenant-id.js';

export const MAX_SEATS = 100_000;

export class CreateCheckoutSessionDto {
  @IsUUID() plan_id!: string;

  /** Seats, for a seat plan (1 to 100,000); other plans take none. @example 30 */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_SEATS) quantity?: number;
}

export class CheckoutSessionDto {
  /** Send the browser here. @example https://checkout.stripe.com/c/pay/cs_test_a1b2 */
  checkout_url!: string;
  /** @example cs_test_a1b2c3 */
  session_id!: string;
}

/** Whose billing: yours (no tenant_id), or a school's, for its admins and super admins. */
export class BillingScopeDto {
  /** Omit for your own billing. @example hallym_univ */
  @IsOptional() @IsTenantId() tenant_id?: string;
}

export class PortalSessionDto {
  /** The Stripe customer portal, for this payer. @example https://billing.stripe.com/p/session/test_YWNj */
  portal_url!: string;
}
