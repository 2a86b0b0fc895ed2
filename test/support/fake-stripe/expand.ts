import { invalidRequest } from './errors.js';
import type { FormValue } from './form.js';
import type { StripeState } from './state.js';

/** Replaces the ids named by `expand[]` (`latest_invoice`, `data.customer`...) with their objects. */
export function expanded(
  result: object,
  expand: FormValue | undefined,
  state: StripeState,
): object {
  const paths = typeof expand === 'string' ? [expand] : Array.isArray(expand) ? expand : [];
  if (paths.length === 0) {
    return result;
  }
  const copy = structuredClone(result);
  for (const path of paths) {
    if (typeof path !== 'string') {
      throw invalidRequest('Invalid array: expand', 'expand');
    }
    expandPath(copy, path.split('.'), path, state);
  }
  return copy;
}

function expandPath(target: unknown, segments: string[], path: string, state: StripeState): void {
  const [head, ...rest] = segments;
  if (head === undefined) {
    return;
  }
  if (!isRecord(target) || !(head in target)) {
    throw cannotExpand(path);
  }
  if (head === 'data' && Array.isArray(target.data)) {
    for (const entry of target.data) {
      expandPath(entry, rest, path, state);
    }
    return;
  }
  let value = target[head];
  if (typeof value === 'string') {
    const found = findById(state, value);
    if (found === undefined) {
      throw cannotExpand(path);
    }
    value = structuredClone(found);
    target[head] = value;
  } else if (value !== null && typeof value !== 'object') {
    throw cannotExpand(path);
  }
  if (value !== null) {
    expandPath(value, rest, path, state);
  }
}

function findById(state: StripeState, id: string): object | undefined {
  const stores: Array<[string, Map<string, object>]> = [
    ['cus_', state.customers],
    ['sub_', state.subscriptions],
    ['in_', state.invoices],
    ['price_', state.prices],
    ['prod_', state.products],
    ['ch_', state.charges],
    ['cs_test_', state.checkoutSessions],
  ];
  return stores.find(([prefix]) => id.startsWith(prefix))?.[1].get(id);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function cannotExpand(path: string) {
  return invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
}
