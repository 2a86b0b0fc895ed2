import { newestFirst, page } from '../list.js';
import type { Params } from '../params.js';
import type { Router } from '../router.js';
import type { Services } from '../services.js';
import type { StripeState } from '../state.js';
import type { FakeEvent } from '../types.js';

export function eventRoutes(router: Router, { state }: Services): void {
  router
    .get('/v1/events/:id', ({ id }) => withDelivery(state, state.event(id)))
    .get('/v1/events', ({ params }) => {
      params.allowOnly('type', 'types', 'delivery_success', 'created', 'limit', 'starting_after');
      const types = typeFilter(params);
      const deliverySuccess = params.boolean('delivery_success');
      const inRange = createdFilter(params);
      const matching = newestFirst(state.events).filter(
        (event) =>
          types(event.type) &&
          inRange(event.created) &&
          (deliverySuccess === undefined ||
            state.deliveredEventIds.has(event.id) === deliverySuccess),
      );
      const listed = page(matching, params, '/v1/events', 'event');
      return { ...listed, data: listed.data.map((event) => withDelivery(state, event)) };
    });
}

function withDelivery(state: StripeState, event: FakeEvent): FakeEvent {
  return { ...event, pending_webhooks: state.deliveredEventIds.has(event.id) ? 0 : 1 };
}

/** `type` may end in `*`, as in `customer.subscription.*`. */
function typeFilter(params: Params): (type: string) => boolean {
  const single = params.text('type');
  const listed = params.values.types;
  const several = Array.isArray(listed)
    ? listed.filter((value): value is string => typeof value === 'string')
    : [];
  const wanted = single ? [single, ...several] : several;
  if (wanted.length === 0) {
    return () => true;
  }
  return (type) =>
    wanted.some((pattern) =>
      pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern,
    );
}

function createdFilter(params: Params): (created: number) => boolean {
  const exact = typeof params.values.created === 'string' ? params.integer('created') : undefined;
  const range = exact === undefined ? params.nested('created') : undefined;
  range?.allowOnly('gt', 'gte', 'lt', 'lte');
  const gt = range?.integer('gt');
  const gte = range?.integer('gte');
  const lt = range?.integer('lt');
  const lte = range?.integer('lte');
  return (created) =>
    (exact === undefined || created === exact) &&
    (gt === undefined || created > gt) &&
    (gte === undefined || created >= gte) &&
    (lt === undefined || created < lt) &&
    (lte === undefined || created <= lte);
}
