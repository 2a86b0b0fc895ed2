import type { LicenseStatus } from '../entities/school-license.entity.js';
import type { LicenseRow } from '../licenses.repository.js';

export class LicenseDto {
  /** @example 0b8a2c1e-4f5d-4e6a-9b7c-8d9e0f1a2b3c */
  id!: string;
  /** @example hallym_univ */
  tenant_id!: string;
  /** The plan it came with; null for a manual license without one */
  plan_id!: string | null;
  /** @example 50 */
  total_seats!: number;
  /** @example 42 */
  used_seats!: number;
  /** Seats free to assign; 0 while over-allocated @example 8 */
  available_seats!: number;
  /** Seats to free (or buy) before new ones can be assigned; 0 unless over-allocated */
  surplus_seats!: number;
  starts_at!: string;
  expires_at!: string;
  /** active, over_allocated (more seats taken than it has), expired or revoked */
  status!: LicenseStatus;
  /** `manual`, or the Stripe subscription id whose seat quantity it follows @example manual */
  source!: string;
  created_by!: string | null;
  created_at!: string;
  updated_at!: string;
}

export class LicensePageDto {
  items!: LicenseDto[];
  total!: number;
  limit!: number;
  offset!: number;
}

export function mapLicense(row: LicenseRow): LicenseDto {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    plan_id: row.plan_id,
    total_seats: row.total_seats,
    used_seats: row.used_seats,
    available_seats: Math.max(0, row.total_seats - row.used_seats),
    surplus_seats: Math.max(0, row.used_seats - row.total_seats),
    starts_at: row.starts_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    status: row.status,
    source: row.source,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
