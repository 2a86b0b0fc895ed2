import { isoOrNull } from '../../../common/time/iso.js';
import type { TenantStatus } from '../../tenants/tenant.entity.js';
import type { TenantRow } from '../../tenants/tenants.repository.js';

export class TenantStatusDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** @example Hallym University */
  name!: string;
  /** @example active */
  status!: TenantStatus;
  /** @example premium */
  plan!: string | null;
  activated_at!: string | null;
  deactivated_at!: string | null;
  deactivation_reason!: string | null;
  /** Members of the school (active and suspended) */
  users!: number;
  created_at!: string;
  updated_at!: string;
}

export function mapTenantStatus(tenant: TenantRow, users: number): TenantStatusDto {
  return {
    tenant_id: tenant.id,
    name: tenant.name,
    status: tenant.status,
    plan: tenant.plan,
    activated_at: isoOrNull(tenant.activated_at),
    deactivated_at: isoOrNull(tenant.deactivated_at),
    deactivation_reason: tenant.deactivation_reason,
    users,
    created_at: tenant.created_at.toISOString(),
    updated_at: tenant.updated_at.toISOString(),
  };
}
