import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditTarget } from '../audit/audit-target.js';

export interface RequestContext {
  requestId: string;
  /** The caller's IP and user agent, computed when asked (audit records of service calls). */
  client?: () => RequestClient;
  /** On audited routes: what the code noted about the record's resource and tenant. */
  auditTarget?: AuditTarget;
}

export interface RequestClient {
  ip: string | null;
  userAgent: string | null;
}

/** The request being served, wherever its code runs (logs read the request id from here). */
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

export function currentClient(): RequestClient | undefined {
  return requestContext.getStore()?.client?.();
}

/**
 * A timer for background work started by whichever request came first (a buffered write, a
 * relay round): it runs outside that request's context, so its logs and statements are not
 * put down to that request.
 */
export function backgroundTimeout(callback: () => void, delayMs: number): NodeJS.Timeout {
  return requestContext.exit(() => setTimeout(callback, delayMs));
}
