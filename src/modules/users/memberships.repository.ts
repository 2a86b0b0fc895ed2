import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TenantRole } from '../../common/auth/roles.js';
import { queryRows } from '../../common/database/sql.js';
import type { TenantStatus } from '../tenants/tenant.entity.js';
import type { MembershipStatus } from './membership.entity.js';

export interface MembershipView {
  tenantId: string;
  tenantName: string;
  tenantStatus: TenantStatus;
  role: TenantRole;
  status: MembershipStatus;
  joinedAt: Date;
}

interface MembershipRow {
  tenant_id: string;
  tenant_name: string;
  tenant_status: TenantStatus;
  role: TenantRole;
  status: MembershipStatus;
  joined_at: Date;
}

@Injectable()
export class MembershipsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The user's memberships with their tenants, oldest first. */
  async listForUser(userId: string, manager?: EntityManager): Promise<MembershipView[]> {
    const rows = await queryRows<MembershipRow>(
      manager ?? this.dataSource,
      `SELECT m.tenant_id, t.name AS tenant_name, t.status AS tenant_status, m.role, m.status,
              m.joined_at
       FROM memberships m JOIN tenants t ON t.id = m.tenant_id
       WHERE m.user_id = $1
       ORDER BY m.joined_at, m.tenant_id`,
      [userId],
    );
    return rows.map((row) => ({
      tenantId: row.tenant_id,
      tenantName: row.tenant_name,
      tenantStatus: row.tenant_status,
      role: row.role,
      status: row.status,
      joinedAt: row.joined_at,
    }));
  }
}
