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
