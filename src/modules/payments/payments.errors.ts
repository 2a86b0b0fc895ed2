import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const PAYMENT_ERROR_CODES = {
  PAYMENTS_DISABLED: {
    status: HttpStatus.NOT_FOUND,
    message: 'Payments are not configured on this server (STRIPE_SECRET_KEY is unset)',
  },
  PAYMENTS_PLAN_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'Plan not found' },
  PAYMENTS_PLAN_INACTIVE: {
    status: HttpStatus.CONFLICT,
    message: 'This plan is no longer sold',
  },
  PAYMENTS_STRIPE_PRICE_UNKNOWN: {
    status: HttpStatus.BAD_REQUEST,
    message: 'Stripe has no active recurring price of this id',
  },
  PAYMENTS_STRIPE_PRICE_MISMATCH: {
    status: HttpStatus.CONFLICT,
    message: "The Stripe price's amount, currency or interval differs from the plan's",
  },
  PAYMENTS_SCHOOL_PLAN_ADMINS_ONLY: {
    status: HttpStatus.FORBIDDEN,
    message: 'Only an admin of a school buys a school plan, for that school',
  },
  PAYMENTS_QUANTITY_INVALID: {
    status: HttpStatus.BAD_REQUEST,
    message: 'quantity is the number of seats of a seat plan (1 to 100,000); other plans take none',
  },
  PAYMENTS_ALREADY_SUBSCRIBED: {
    status: HttpStatus.CONFLICT,
    message: 'There is already a live subscription to this plan: change it in the customer portal',
  },
  PAYMENTS_NO_CUSTOMER: {
    status: HttpStatus.NOT_FOUND,
    message: 'Nothing has been bought yet: there is no billing account to manage',
  },
  PAYMENTS_SUBSCRIPTION_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'No live subscription',
  },
  PAYMENTS_NOT_SEAT_BASED: {
    status: HttpStatus.CONFLICT,
    message: 'This subscription is not priced per seat',
  },
  PAYMENTS_STRIPE_UNAVAILABLE: {
    status: HttpStatus.BAD_GATEWAY,
    message: 'Stripe did not answer as expected; try again shortly',
  },
  PAYMENTS_WEBHOOK_SIGNATURE_INVALID: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The Stripe-Signature header is missing, stale or does not match the body',
  },
  PAYMENTS_EVENT_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'No stored Stripe event of this id',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type PaymentErrorCodes = typeof PAYMENT_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends PaymentErrorCodes {}
}
