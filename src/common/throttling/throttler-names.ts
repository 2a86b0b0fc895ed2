/** Global budgets: one per anonymous client IP, one per authenticated caller. */
export const ANONYMOUS_THROTTLER = 'anonymous';
export const AUTHENTICATED_THROTTLER = 'authenticated';
/** Per-route limits declared with `@Throttle({ route: { limit, ttl } })`, keyed per route. */
export const ROUTE_THROTTLER = 'route';
