import { requestContext } from '../observability/request-context.js';

/** What an audited call acted on, when neither its path nor its answer says it plainly. */
export interface AuditTarget {
  resourceType?: string;
  resourceId?: string;
  tenantId?: string;
}

/**
 * Names the resource and tenant of the running request's audit record, e.g. the invitation
 * a member create answered with 202. Outside an audited route it does nothing.
 */
export function noteAuditTarget(target: AuditTarget): void {
  const noted = requestContext.getStore()?.auditTarget;
  if (noted) {
    Object.assign(noted, target);
  }
}
