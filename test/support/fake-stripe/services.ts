import type { SubscriptionLifecycle } from './lifecycle.js';
import type { StripeState } from './state.js';

/** What every route handler works with. */
export interface Services {
  state: StripeState;
  lifecycle: SubscriptionLifecycle;
  baseUrl: () => string;
}
