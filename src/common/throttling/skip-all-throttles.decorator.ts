import { SkipThrottle } from '@nestjs/throttler';
import {
  ANONYMOUS_THROTTLER,
  AUTHENTICATED_THROTTLER,
  MARKET_THROTTLER,
  ROUTE_THROTTLER,
} from './throttler-names.js';

/** For probes and scrapers (health, metrics) that must never be rate limited. */
export const SkipAllThrottles = (): MethodDecorator & ClassDecorator =>
  SkipThrottle({
    [ANONYMOUS_THROTTLER]: true,
    [AUTHENTICATED_THROTTLER]: true,
    [MARKET_THROTTLER]: true,
    [ROUTE_THROTTLER]: true,
  });
