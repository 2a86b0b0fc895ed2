import { SetMetadata } from '@nestjs/common';
import type { AccountThrottler } from './throttler-names.js';

export const RATE_LIMIT_KEY = 'throttling:optIn';

/** Applies a configured account budget (e.g. `login`: RATE_LIMIT_LOGIN_LIMIT per window) to a route. */
export const RateLimit = (...throttlers: AccountThrottler[]): MethodDecorator =>
  SetMetadata(RATE_LIMIT_KEY, throttlers);
