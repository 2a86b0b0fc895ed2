import { Injectable } from '@nestjs/common';
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

  statusMoved(before: Pick<LicenseRow, 'status'>, after: LicenseRow, actor: LicenseActor): void {
    this.audit.record({
      ...actor,
      tenantId: after.tenant_id,
      action: 'license.status_changed',
      resourceType: 'license',
      resourceId: after.id,
      outcome: 'success',
      metadata: {
        from: before.status,
        to: after.status,
        total_seats: after.total_seats,
        used_seats: after.used_seats,
      },
    });
  }
}
