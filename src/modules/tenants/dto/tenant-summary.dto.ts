import { isoOrNull } from '../../../common/time/iso.js';
import type { TenantStatus } from '../tenant.entity.js';
import type { TenantRow } from '../tenants.repository.js';
import { mapSubscription, type TenantSubscriptionView } from './tenant-settings-response.dto.js';

/** A school in a list: who it is, its state and plan, and how many members it has. */
export class TenantSummaryDto {
  /** @example hallym_univ */
  tenant_id!: string;
  /** @example Hallym University */
  name!: string;
  /** @example active */
  status!: TenantStatus;
  /** @example premium */
  plan!: string | null;
  subscription!: TenantSubscriptionView;
  /** Members of the school (active and suspended) */
  users!: number;
  activated_at!: string | null;
  deactivated_at!: string | null;
  deactivation_reason!: string | null;
  created_at!: string;
  updated_at!: string;
}

export class TenantPageDto {
  items!: TenantSummaryDto[];
  /** Tenants matching the filters, over all pages */
  total!: number;
  limit!: number;
  offset!: number;
}

export function mapTenantSummary(tenant: TenantRow, users: number): TenantSummaryDto {
  return {
    tenant_id: tenant.id,
    name: tenant.name,
    status: tenant.status,
    plan: tenant.plan,
    subscription: mapSubscription(tenant),
    users,
    activated_at: isoOrNull(tenant.activated_at),
    deactivated_at: isoOrNull(tenant.deactivated_at),
    deactivation_reason: tenant.deactivation_reason,
    created_at: tenant.created_at.toISOString(),
    updated_at: tenant.updated_at.toISOString(),
  };
}
