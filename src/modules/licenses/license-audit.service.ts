import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditActorType } from '../../common/audit/audit-log.entity.js';
import { AuditService } from '../../common/audit/audit.service.js';
import type { LicenseRow } from './licenses.repository.js';

export interface LicenseActor {
  actorType: AuditActorType;
  actorId?: string | null;
}

/**
 * Status moves the request's own audit record does not show: a release that makes an
 * over-allocated license active again, Stripe changing the seats, the expiry job.
 */
@Injectable()
export class LicenseAudit {
  constructor(private readonly audit: AuditService) {}

  /**
   * `before` undefined: the license was just made (`license.created`). With a manager the
   * record is written in that transaction (a system change), else buffered like a request's.
   */
  async statusMoved(
    before: Pick<LicenseRow, 'status'> | undefined,
    after: LicenseRow,
    actor: LicenseActor,
    manager?: EntityManager,
  ): Promise<void> {
    const entry = {
      ...actor,
      tenantId: after.tenant_id,
      action: before ? 'license.status_changed' : 'license.created',
      resourceType: 'license',
      resourceId: after.id,
      outcome: 'success' as const,
      metadata: {
        source: after.source,
        from: before?.status ?? null,
        to: after.status,
        total_seats: after.total_seats,
        used_seats: after.used_seats,
        expires_at: after.expires_at.toISOString(),
      },
    };
    if (manager) {
      await this.audit.recordNow(entry, manager);
    } else {
      this.audit.record(entry);
    }
  }
}
