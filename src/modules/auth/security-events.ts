import { Injectable } from '@nestjs/common';
import { AuditService } from '../../common/audit/audit.service.js';
import type { AuditOutcome } from '../../common/audit/audit-log.entity.js';
import { currentRequestId } from '../../common/observability/request-context.js';
import type { DeviceInfo } from './sessions.service.js';

export type SecurityAction =
  | 'auth.account_locked'
  | 'auth.refresh_token_reused'
  | 'auth.password_changed'
  | 'auth.password_reset'
  | 'auth.logout_all'
  | 'auth.impersonation_started'
  | 'auth.identity_linked'
  | 'auth.identity_unlinked';

/** Security events for the audit trail, beside the per-route records the HTTP hook writes. */
@Injectable()
export class SecurityEvents {
  constructor(private readonly audit: AuditService) {}

  record(
    action: SecurityAction,
    subject: { userId: string | null; tenantId?: string | null },
    device: DeviceInfo,
    outcome: AuditOutcome,
    metadata: Record<string, unknown> = {},
  ): void {
    this.audit.record({
      actorType: subject.userId ? 'user' : 'anonymous',
      actorId: subject.userId,
      tenantId: subject.tenantId ?? null,
      action,
      resourceType: 'user',
      resourceId: subject.userId,
      outcome,
      ip: device.ip,
      userAgent: device.userAgent?.slice(0, 512) ?? null,
      requestId: currentRequestId() ?? null,
      metadata,
    });
  }
}
