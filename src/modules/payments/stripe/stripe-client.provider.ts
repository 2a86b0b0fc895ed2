import type { Provider } from '@nestjs/common';
import Stripe from 'stripe';
import { APP_NAME, APP_VERSION } from '../../../common/app-info.js';
import { AppConfigService } from '../../../config/app-config.service.js';

export const STRIPE_CLIENT = Symbol('STRIPE_CLIENT');

const REQUEST_TIMEOUT_MS = 10_000;
/** The SDK retries connection errors, 409s, 429s and 5xx with backoff, reusing the idempotency key. */
const NETWORK_RETRIES = 2;

/** The real Stripe SDK, pointed at STRIPE_API_HOST/PORT/PROTOCOL when set; null while payments are off. */
export const stripeClientProvider: Provider = {
  provide: STRIPE_CLIENT,
  inject: [AppConfigService],
  useFactory: (config: AppConfigService): Stripe | null => {
    const key = config.get('STRIPE_SECRET_KEY');
    if (!key) {
      return null;
    }
    return new Stripe(key, {
      host: config.get('STRIPE_API_HOST'),
      port: config.get('STRIPE_API_PORT'),
      protocol: config.get('STRIPE_API_PROTOCOL'),
      maxNetworkRetries: NETWORK_RETRIES,
      timeout: REQUEST_TIMEOUT_MS,
      appInfo: { name: APP_NAME, version: APP_VERSION },
    });
  },
};

export function paymentsEnabled(config: AppConfigService): boolean {
  return Boolean(config.get('STRIPE_SECRET_KEY'));
}
