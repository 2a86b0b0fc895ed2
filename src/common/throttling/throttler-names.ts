/**
 * Global budgets: one per anonymous client IP, one per authenticated caller, and the Service
 * Market's own (its key carries a whole platform's usage reports and dashboards).
 */
export const ANONYMOUS_THROTTLER = 'anonymous';
export const AUTHENTICATED_THROTTLER = 'authenticated';
export const MARKET_THROTTLER = 'market';
/** Per-route limits declared with `@Throttle({ route: { limit, ttl } })`, keyed per route. */
export const ROUTE_THROTTLER = 'route';
/** Budgets for sensitive anonymous routes, keyed by client IP + the account named in the body. */
export const REGISTER_THROTTLER = 'register';
export const ACCOUNT_EMAIL_THROTTLER = 'account_email';
/** The per-IP flood ceiling of sign-in routes, which skip the anonymous budget (`@SignInRoute`). */
export const SIGN_IN_FLOOD_THROTTLER = 'sign_in_flood';

export type AccountThrottler = typeof REGISTER_THROTTLER | typeof ACCOUNT_EMAIL_THROTTLER;

/** Throttlers that apply only to the routes that name them. */
export const OPT_IN_THROTTLERS: ReadonlySet<string> = new Set([
  ROUTE_THROTTLER,
  REGISTER_THROTTLER,
  ACCOUNT_EMAIL_THROTTLER,
  SIGN_IN_FLOOD_THROTTLER,
]);
