import { resourceMissing } from './errors.js';
import { newId } from './ids.js';
import type {
  CheckoutOrder,
  FakeCharge,
  FakeCheckoutSession,
  FakeCustomer,
  FakeEvent,
  FakeInvoice,
  FakePortalSession,
  FakePrice,
  FakeProduct,
  FakeSubscription,
} from './types.js';

export const API_VERSION = '2026-10-28.endive';

export type EventListener = (event: FakeEvent, origin: EventOrigin) => void;
/** `api` events come from a request the app made; Stripe sends them to the webhook on its own. */
export type EventOrigin = 'api' | 'simulation';

/** Everything the fake Stripe account holds. */
export class StripeState {
  readonly products = new Map<string, FakeProduct>();
  readonly prices = new Map<string, FakePrice>();
  readonly customers = new Map<string, FakeCustomer>();
  readonly checkoutSessions = new Map<string, FakeCheckoutSession>();
  readonly checkoutOrders = new Map<string, CheckoutOrder>();
  readonly portalSessions = new Map<string, FakePortalSession>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  readonly invoices = new Map<string, FakeInvoice>();
  readonly charges = new Map<string, FakeCharge>();
  readonly events: FakeEvent[] = [];
  readonly deliveredEventIds = new Set<string>();
  onEvent: EventListener = () => undefined;
  /** Set while an API request runs, so its events name it as Stripe's do. */
  currentRequest: FakeEvent['request'] = { id: null, idempotency_key: null };

  constructor(private readonly nowMs: () => number) {}

  /** Unix seconds, as every Stripe timestamp. */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  record(
    type: string,
    object: object,
    origin: EventOrigin,
    previousAttributes?: Record<string, unknown>,
  ): FakeEvent {
    const event: FakeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: API_VERSION,
      created: this.now(),
      livemode: false,
      pending_webhooks: 1,
      request: origin === 'api' ? { ...this.currentRequest } : { id: null, idempotency_key: null },
      type,
      data: {
        object: structuredClone(object),
        ...(previousAttributes ? { previous_attributes: structuredClone(previousAttributes) } : {}),
      },
    };
    this.events.push(event);
    this.onEvent(event, origin);
    return event;
  }

  subscription(id: string, param = 'id'): FakeSubscription {
    return found(this.subscriptions.get(id), 'subscription', id, param);
  }

  price(id: string, param = 'price'): FakePrice {
    return found(this.prices.get(id), 'price', id, param);
  }

  customer(id: string, param = 'customer'): FakeCustomer {
    return found(this.customers.get(id), 'customer', id, param);
  }

  invoice(id: string, param = 'id'): FakeInvoice {
    return found(this.invoices.get(id), 'invoice', id, param);
  }

  event(id: string): FakeEvent {
    return found(
      this.events.find((event) => event.id === id),
      'event',
      id,
      'id',
    );
  }

  charge(id: string, param = 'id'): FakeCharge {
    return found(this.charges.get(id), 'charge', id, param);
  }
}

export function found<T>(value: T | undefined, resource: string, id: string, param: string): T {
  if (value === undefined) {
    throw resourceMissing(resource, id, param);
  }
  return value;
}
