import Stripe from 'stripe';
import { AppException } from '../../../common/errors/app.exception.js';

/** Stripe has no such object (a 404 `resource_missing`). */
export function isMissingInStripe(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError && error.statusCode === 404;
}

/**
 * A Stripe call made while answering a request: what Stripe refuses or fails becomes 502
 * PAYMENTS_STRIPE_UNAVAILABLE with Stripe's request id (for support), never a 500.
 */
export async function askStripe<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) {
      throw new AppException('PAYMENTS_STRIPE_UNAVAILABLE', undefined, {
        stripe_error: error.type,
        stripe_code: error.code ?? null,
        stripe_request_id: error.requestId ?? null,
      });
    }
    throw error;
  }
}

/** The id of an expandable field (`"cus_…"` or `{ id: "cus_…", ... }`). */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) {
    return null;
  }
  return typeof value === 'string' ? value : value.id;
}
