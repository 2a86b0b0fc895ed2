import type { StripeState } from './state.js';

/** The hosted pages a browser would be sent to; enough for a redirect check to land somewhere. */
export function hostedPage(state: StripeState, path: string): string | undefined {
  const [, kind, id] = /^\/(checkout|portal|invoice)\/([^/]+)(?:\/pdf)?$/.exec(path) ?? [];
  const known =
    (kind === 'checkout' && state.checkoutSessions.has(id)) ||
    (kind === 'portal' && state.portalSessions.has(id)) ||
    (kind === 'invoice' && state.invoices.has(id));
  return known
    ? `<!doctype html><title>Fake Stripe ${kind}</title><h1>${kind} ${id}</h1>`
    : undefined;
}
