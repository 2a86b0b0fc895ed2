import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { actorOf } from '../../common/audit/audit-context.js';
import { AuditService } from '../../common/audit/audit.service.js';
import type { AuditOutcome } from '../../common/audit/audit-log.entity.js';
import type { Principal } from '../../common/auth/principal.js';
import { currentClient, currentRequestId } from '../../common/observability/request-context.js';
import type { DeviceInfo } from './sessions.service.js';

export type SecurityAction =
  | 'auth.login_failed'
  | 'auth.account_locked'
  | 'auth.refresh_token_reused'
  | 'auth.password_changed'
  | 'auth.password_reset'
  | 'auth.password_reset_by_admin'
  | 'auth.logout_all'
  | 'auth.impersonation_started'
  | 'auth.identity_linked'
  | 'auth.identity_unlinked'
  | 'user.access_changed';

/**
 * Security events for the audit trail, beside the per-route records the HTTP hook writes.
 * They are written before the call returns (not buffered), and inside the change's
 * transaction when a `manager` is given: a crash cannot lose them, a rollback undoes them.
 */
@Injectable()
export class SecurityEvents {
  constructor(private readonly audit: AuditService) {}

  /** An event of the user's own account, done by the user (or by someone trying to be them). */
  record(
    action: SecurityAction,
    subject: { userId: string | null; tenantId?: string | null },
    device: DeviceInfo,
    outcome: AuditOutcome,
    metadata: Record<string, unknown> = {},
    manager?: EntityManager,
  ): Promise<void> {
    return this.audit.recordNow(
      {
        actorType: subject.userId ? 'user' : 'anonymous',
        actorId: subject.userId,
        tenantId: subject.tenantId ?? null,
        action,
        resourceType: 'user',
        resourceId: subject.userId,
        outcome,
        ip: device.ip,
        userAgent: device.userAgent,
        requestId: currentRequestId() ?? null,
        metadata: subject.userId ? metadata : withoutUnknownUsername(metadata),
      },
      manager,
    );
  }

  /** A change an admin (or an API key) made to someone else's account. */
  recordAdminAction(
    action: SecurityAction,
    by: Principal,
    target: { userId: string; tenantId: string | null },
    metadata: Record<string, unknown>,
    manager?: EntityManager,
  ): Promise<void> {
    const actor = actorOf(by);
    const client = currentClient();
    return this.audit.recordNow(
      {
        ...actor,
        tenantId: target.tenantId ?? actor.tenantId ?? null,
        action,
        resourceType: 'user',
        resourceId: target.userId,
        outcome: 'success',
        ip: client?.ip ?? null,
        userAgent: client?.userAgent ?? null,
        requestId: currentRequestId() ?? null,
        metadata,
      },
      manager,
    );
  }
}

/**
 * A failed sign-in with an unknown `tenant/username` keeps the tenant only: the username rule
 * admits passwords such as `Seed-2026-garden`, and a password typed into the wrong field must
 * not be stored. An email address (validated as one) or a known account's name is kept.
 */
function withoutUnknownUsername(metadata: Record<string, unknown>): Record<string, unknown> {
  const identifier = metadata.identifier;
  if (typeof identifier !== 'string' || identifier.includes('@')) {
    return metadata;
  }
  const tenant = identifier.slice(0, Math.max(identifier.indexOf('/'), 0));
  return { ...metadata, identifier: `${tenant}/[redacted]` };
}
