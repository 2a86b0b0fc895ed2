import { applyDecorators, SetMetadata } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import {
  ANONYMOUS_THROTTLER,
  SIGN_IN_FLOOD_THROTTLER,
  type AccountThrottler,
} from './throttler-names.js';

export const RATE_LIMIT_KEY = 'throttling:optIn';

/** Applies a configured account budget (e.g. `register`: RATE_LIMIT_REGISTER_LIMIT per window) to a route. */
export const RateLimit = (...throttlers: AccountThrottler[]): MethodDecorator =>
  SetMetadata(RATE_LIMIT_KEY, throttlers);

/**
 * A route people sign in through (login, refresh, register, OAuth, LTI launches): a whole
 * school behind one NAT address uses it at once, so it skips the anonymous per-IP budget and
 * has only a much higher per-IP flood ceiling (RATE_LIMIT_SIGN_IN_FLOOD_*), plus the account
 * budgets it names and the lockout.
 */
export const SignInRoute = (...budgets: AccountThrottler[]): MethodDecorator =>
  applyDecorators(
    SkipThrottle({ [ANONYMOUS_THROTTLER]: true }),
    SetMetadata(RATE_LIMIT_KEY, [SIGN_IN_FLOOD_THROTTLER, ...budgets]),
  );
