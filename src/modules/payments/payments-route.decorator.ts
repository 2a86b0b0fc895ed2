import { OffUnless } from '../../common/switches/off-unless.decorator.js';
import { paymentsEnabled } from './stripe/stripe-client.provider.js';

/** A payment route: 404 PAYMENTS_DISABLED, before anything else, while STRIPE_SECRET_KEY is unset. */
export const PaymentsRoute = (): ClassDecorator & MethodDecorator =>
  OffUnless(paymentsEnabled, 'PAYMENTS_DISABLED');
