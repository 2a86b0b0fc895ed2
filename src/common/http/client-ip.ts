import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { TrustProxy } from '../../config/trust-proxy.js';

export type FastifyTrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

/** TRUST_PROXY in the form Fastify's `trustProxy` option takes. */
export function fastifyTrustProxy(value: TrustProxy): FastifyTrustProxy {
  if (typeof value === 'number') {
    // Fastify 5.12 trusts no hop for a bare number; a count means the nearest `value` hops.
    return (_address, hop) => hop < value;
  }
  return value;
}

/**
 * Keeps only the X-Forwarded-For entries nearest to us that are IP addresses: from the first
 * entry that is not one, everything further out (written by whoever sent it) is dropped. So
 * `request.ip` is always an address: the one the trusted hops give, else the nearest valid
 * one, else the socket's.
 */
export function keepValidForwardedFor(request: IncomingMessage): void {
  const header = request.headers['x-forwarded-for'];
  if (header === undefined) {
    return;
  }
  const entries = (Array.isArray(header) ? header.join(',') : header)
    .split(',')
    .map((entry) => entry.trim());
  let first = entries.length;
  while (first > 0 && isIP(entries[first - 1] ?? '') !== 0) {
    first -= 1;
  }
  if (first === 0) {
    return;
  }
  if (first === entries.length) {
    delete request.headers['x-forwarded-for'];
  } else {
    request.headers['x-forwarded-for'] = entries.slice(first).join(', ');
  }
}
