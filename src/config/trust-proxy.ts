import { isIP } from 'node:net';

/**
 * TRUST_PROXY as Fastify's `trustProxy` takes it: `true` (every hop), `false` (none), a hop
 * count, or the proxies' addresses and CIDR ranges (and proxy-addr's names `loopback`,
 * `linklocal`, `uniquelocal`).
 */
export type TrustProxy = boolean | number | string[];

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

export const TRUST_PROXY_HELP =
  'TRUST_PROXY must be true, false, a hop count (e.g. 1), or comma-separated proxy addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1)';

/** The parsed value, or undefined when the text is none of the accepted forms. */
export function parseTrustProxy(value: unknown): TrustProxy | undefined {
  if (typeof value === 'boolean') {
    return value;
  }
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? value || false : undefined;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  const text = value.trim().toLowerCase();
  if (['true', 'yes', 'on'].includes(text)) {
    return true;
  }
  if (['false', 'no', 'off', ''].includes(text)) {
    return false;
  }
  if (/^\d{1,3}$/.test(text)) {
    return Number(text) || false;
  }
  const entries = text.split(',').map((entry) => entry.trim());
  return entries.every(isProxyAddress) ? entries : undefined;
}

function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) {
    return true;
  }
  const [address = '', prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) {
    return false;
  }
  if (prefix === undefined) {
    return true;
  }
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
