import type { EntityManager } from 'typeorm';
import type { OutboxService } from '../../common/events/outbox.service.js';
import type { LicenseRow } from './licenses.repository.js';

/** Ids and numbers only: mails and callbacks look up the rest when they are sent. */
export function licenseEventPayload(row: LicenseRow): Record<string, unknown> {
  return {
    license_id: row.id,
    tenant_id: row.tenant_id,
    status: row.status,
    total_seats: row.total_seats,
    used_seats: row.used_seats,
    surplus_seats: Math.max(0, row.used_seats - row.total_seats),
    expires_at: row.expires_at.toISOString(),
    source: row.source,
  };
}

/**
 * Announces a license that became over-allocated (mail to its admins, market callback), in
 * the change's own transaction; a license that stays so is not announced again.
 */
export async function announceStatusChange(
  outbox: OutboxService,
  manager: EntityManager,
  before: Pick<LicenseRow, 'status'> | undefined,
  after: LicenseRow,
): Promise<void> {
  if (after.status === 'over_allocated' && before?.status !== 'over_allocated') {
    await outbox.add(manager, {
      type: 'license.over_allocated',
      aggregateId: after.id,
      payload: licenseEventPayload(after),
    });
  }
}
