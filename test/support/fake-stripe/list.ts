import { invalidRequest, resourceMissing } from './errors.js';
import type { Params } from './params.js';
import type { FakeList } from './types.js';

/** One page of a Stripe list: newest first, `limit` 1..100 (10 by default), `starting_after`. */
export function page<T extends { id: string }>(
  newestFirst: T[],
  params: Params,
  url: string,
  resource: string,
): FakeList<T> {
  const limit = params.integer('limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw invalidRequest(
      'This value must be greater than or equal to 1 and less than or equal to 100.',
      'limit',
    );
  }
  let start = 0;
  const after = params.text('starting_after');
  if (after) {
    const index = newestFirst.findIndex((entry) => entry.id === after);
    if (index < 0) {
      throw resourceMissing(resource, after, 'starting_after');
    }
    start = index + 1;
  }
  const data = newestFirst.slice(start, start + limit);
  return { object: 'list', data, has_more: start + limit < newestFirst.length, url };
}

export function newestFirst<T>(values: Iterable<T>): T[] {
  return [...values].reverse();
}
