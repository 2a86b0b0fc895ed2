import Stripe from 'stripe';
import { FaultPlan, type FaultMatch } from './faults.js';
import { ApiServer, type RecordedRequest } from './http-server.js';
import { Invoicing } from './invoicing.js';
import { SubscriptionLifecycle } from './lifecycle.js';
import { hostedPage } from './pages.js';
import { Router } from './router.js';
import { catalogRoutes } from './routes/catalog.js';
import { checkoutRoutes } from './routes/checkout.js';
import { customerRoutes } from './routes/customers.js';
import { eventRoutes } from './routes/events.js';
import { invoiceRoutes } from './routes/invoices.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import type { Services } from './services.js';
import { StripeSimulation } from './simulation.js';
import { type EventOrigin, StripeState } from './state.js';
import type { FakeEvent } from './types.js';
import {
  type DeliveryResult,
  postWebhook,
  signature,
  type SignatureOptions,
  type WebhookEndpoint,
} from './webhooks.js';

export interface FakeStripeOptions {
  secretKey?: string;
  /** Milliseconds since the epoch; Stripe's timestamps are this in seconds. */
  now?: () => number;
}

export interface DeliverOptions {
  url?: string;
  secret?: string;
  /** Unix seconds for the signature (the fake's `now` by default), to make a stale one. */
  timestamp?: number;
  /** Sent instead of the event's JSON, to tamper with the body after signing. */
  payload?: string;
}

export interface DeliveryRecord {
  eventId: string;
  type: string;
  status: number | 'unreachable';
}

/**
 * A stateful Stripe over HTTP for the real `stripe` SDK: the REST resources the app uses, Stripe's
 * errors and idempotency, injected faults, and the billing events a test triggers and delivers.
 */
export class FakeStripe extends StripeSimulation {
  readonly host = '127.0.0.1';
  readonly requests: RecordedRequest[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  webhook: WebhookEndpoint | undefined;
  /** Deliver every event to `webhook` as it is recorded, in order. */
  autoDeliver = false;
  private readonly faults = new FaultPlan();
  private readonly server: ApiServer;
  private deliveryQueue: Promise<void> = Promise.resolve();
  private listeningPort = 0;

  private constructor(
    readonly secretKey: string,
    state: StripeState,
  ) {
    const lifecycle = new SubscriptionLifecycle(state, new Invoicing(state, () => this.baseUrl));
    super(state, lifecycle);
    const services: Services = { state, lifecycle, baseUrl: () => this.baseUrl };
    const router = new Router();
    for (const routes of [
      catalogRoutes,
      customerRoutes,
      checkoutRoutes,
      subscriptionRoutes,
      invoiceRoutes,
      eventRoutes,
    ]) {
      routes(router, services);
    }
    this.server = new ApiServer({
      secretKey,
      router,
      state,
      faults: this.faults,
      requests: this.requests,
      page: (path) => hostedPage(state, path),
    });
    state.onEvent = (event, origin) => this.onEvent(event, origin);
  }

  static async start({
    secretKey = 'sk_test_fake',
    now = Date.now,
  }: FakeStripeOptions = {}): Promise<FakeStripe> {
    const fake = new FakeStripe(secretKey, new StripeState(now));
    fake.listeningPort = await fake.server.listen(fake.host);
    return fake;
  }

  get port(): number {
    return this.listeningPort;
  }

  get baseUrl(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** Every event recorded so far, oldest first. */
  get events(): readonly FakeEvent[] {
    return this.state.events;
  }

  clientOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: this.host, port: this.port, protocol: 'http' };
  }

  client(config: { maxNetworkRetries?: number } = {}): Stripe {
    return new Stripe(this.secretKey, {
      ...this.clientOptions(),
      maxNetworkRetries: config.maxNetworkRetries ?? 0,
    });
  }

  /** The next `count` matching requests fail with `status` and change nothing. */
  failNext(count: number, match: FaultMatch): void {
    this.faults.failNext(count, match);
  }

  signature(payload: string, options: SignatureOptions): string {
    return signature(payload, options);
  }

  /** POSTs the event as Stripe does; a 2xx answer marks it delivered (`delivery_success`). */
  async deliver(event: FakeEvent, options: DeliverOptions = {}): Promise<DeliveryResult> {
    const url = options.url ?? this.webhook?.url;
    const secret = options.secret ?? this.webhook?.secret;
    if (url === undefined || secret === undefined) {
      throw new Error('FakeStripe.deliver needs fake.webhook or a url and secret');
    }
    const signed = JSON.stringify(event);
    const header = signature(signed, { secret, timestamp: options.timestamp ?? this.state.now() });
    const result = await postWebhook(url, options.payload ?? signed, header);
    if (result.status >= 200 && result.status < 300) {
      this.state.deliveredEventIds.add(event.id);
    }
    this.deliveries.push({ eventId: event.id, type: event.type, status: result.status });
    return result;
  }

  /** Resolves once every automatic delivery queued so far has been answered. */
  async deliveriesSettled(): Promise<void> {
    await this.deliveryQueue;
  }

  async close(): Promise<void> {
    await this.deliveriesSettled();
    await this.server.close();
  }

  private onEvent(event: FakeEvent, origin: EventOrigin): void {
    // Stripe sends events the app caused through the API by itself; simulated ones on request.
    if (this.webhook === undefined || (!this.autoDeliver && origin !== 'api')) {
      return;
    }
    this.deliveryQueue = this.deliveryQueue.then(async () => {
      try {
        await this.deliver(event);
      } catch {
        this.deliveries.push({ eventId: event.id, type: event.type, status: 'unreachable' });
      }
    });
  }
}
