import { SetMetadata } from '@nestjs/common';

export const AUDIT_METADATA = 'audit:route';

export interface AuditRouteOptions {
  /** e.g. `user.create`; defaults to `<METHOD> <route template>`. */
  action: string;
  /** e.g. `user`; defaults to the first path segment after the version. */
  resource?: string;
  /** Route parameter holding the resource id (default `id`). */
  idParam?: string;
  /**
   * Field of a successful answer holding the id of what the call created (default `id`):
   * read when the path names no resource, as on a create.
   */
  idField?: string;
}

/**
 * Names what a mutating route does in the audit trail. The record's resource id is, first
 * found: what the code noted (`noteAuditTarget`), the route parameter, the answer's id
 * field. Its tenant: noted, the path's `:tenantId`, the answer's `tenant_id`, the caller's.
 */
export const Audited = (options: AuditRouteOptions): MethodDecorator =>
  SetMetadata(AUDIT_METADATA, options);

export const NOT_AUDITED_METADATA = 'audit:skip';

/**
 * A mutating route that writes no audit entry, because it keeps its own durable record and
 * its body must not be copied (the Stripe webhook stores every event it verifies).
 */
export const NotAudited = (): MethodDecorator => SetMetadata(NOT_AUDITED_METADATA, true);
