import { invalidRequest, resourceMissing } from '../errors.js';
import { newId } from '../ids.js';
import type { Router } from '../router.js';
import type { Services } from '../services.js';
import type { FakePrice, FakeProduct } from '../types.js';

const INTERVALS = ['month', 'year'] as const;

export function catalogRoutes(router: Router, { state }: Services): void {
  const product = (id: string): FakeProduct => {
    const found = state.products.get(id);
    if (!found) {
      throw resourceMissing('product', id);
    }
    return found;
  };

  router
    .post('/v1/products', ({ params }) => {
      params.allowOnly('name', 'description', 'metadata', 'active');
      const now = state.now();
      const created: FakeProduct = {
        id: newId('prod'),
        object: 'product',
        created: now,
        updated: now,
        livemode: false,
        name: params.requiredText('name'),
        description: params.text('description') ?? null,
        active: params.boolean('active') ?? true,
        metadata: params.metadata(),
      };
      state.products.set(created.id, created);
      return created;
    })
    .get('/v1/products/:id', ({ id }) => product(id))
    .post('/v1/products/:id', ({ id, params }) => {
      params.allowOnly('name', 'description', 'active', 'metadata');
      const current = product(id);
      const name = params.text('name');
      if (name === null) {
        throw invalidRequest('You cannot unset the name of a product.', 'name');
      }
      current.name = name ?? current.name;
      const description = params.text('description');
      current.description = description === undefined ? current.description : description;
      current.active = params.boolean('active') ?? current.active;
      current.metadata = params.metadata(current.metadata);
      current.updated = state.now();
      return current;
    })
    .post('/v1/prices', ({ params }) => {
      params.allowOnly('product', 'unit_amount', 'currency', 'recurring', 'metadata', 'nickname');
      const productId = params.requiredText('product');
      if (!state.products.has(productId)) {
        throw resourceMissing('product', productId, 'product');
      }
      const unitAmount = params.requiredInteger('unit_amount');
      if (unitAmount < 0) {
        throw invalidRequest('Invalid unit_amount: must be at least 0.', 'unit_amount');
      }
      const recurring = params.nested('recurring');
      if (!recurring) {
        throw invalidRequest(
          'The fake only sells recurring prices: recurring is required.',
          'recurring',
        );
      }
      recurring.allowOnly('interval', 'interval_count');
      const interval = recurring.oneOf('interval', INTERVALS);
      if (!interval) {
        throw invalidRequest('Missing required param: recurring[interval].', 'recurring[interval]');
      }
      const currency = params.requiredText('currency').toLowerCase();
      if (!/^[a-z]{3}$/.test(currency)) {
        throw invalidRequest(`Invalid currency: ${currency}.`, 'currency');
      }
      const intervalCount = recurring.integer('interval_count') ?? 1;
      if (intervalCount < 1) {
        throw invalidRequest(
          'Invalid recurring[interval_count]: must be at least 1.',
          'recurring[interval_count]',
        );
      }
      const created: FakePrice = {
        id: newId('price'),
        object: 'price',
        created: state.now(),
        livemode: false,
        active: true,
        currency,
        unit_amount: unitAmount,
        nickname: params.text('nickname') ?? null,
        type: 'recurring',
        product: productId,
        recurring: { interval, interval_count: intervalCount },
        metadata: params.metadata(),
      };
      state.prices.set(created.id, created);
      return created;
    })
    .get('/v1/prices/:id', ({ id }) => state.price(id, 'id'))
    .post('/v1/prices/:id', ({ id, params }) => {
      const price = state.price(id, 'id');
      // Prices are immutable: Stripe answers a new amount as an unknown parameter.
      params.allowOnly('active', 'metadata', 'nickname');
      price.active = params.boolean('active') ?? price.active;
      const nickname = params.text('nickname');
      price.nickname = nickname === undefined ? price.nickname : nickname;
      price.metadata = params.metadata(price.metadata);
      return price;
    });
}
