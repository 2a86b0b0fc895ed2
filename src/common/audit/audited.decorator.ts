import { SetMetadata } from '@nestjs/common';

export const AUDIT_METADATA = 'audit:route';

export interface AuditRouteOptions {
  /** e.g. `user.create`; defaults to `<METHOD> <route template>`. */
  action: string;
  /** e.g. `user`; defaults to the first path segment after the version. */
  resource?: string;
  /** Route parameter holding the resource id (default `id`). */
  idParam?: string;
}

/** Names what a mutating route does in the audit trail. */
export const Audited = (options: AuditRouteOptions): MethodDecorator =>
  SetMetadata(AUDIT_METADATA, options);
