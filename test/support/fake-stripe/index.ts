export { FakeStripe } from './fake-stripe.js';
export type { DeliverOptions, DeliveryRecord, FakeStripeOptions } from './fake-stripe.js';
export type { FaultMatch, FaultStatus } from './faults.js';
export type { RecordedRequest } from './http-server.js';
export type { SubscriptionPatch } from './simulation.js';
export type * from './types.js';
export type { DeliveryResult, SignatureOptions, WebhookEndpoint } from './webhooks.js';
