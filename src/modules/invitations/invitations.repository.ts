import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TenantRole } from '../../common/auth/roles.js';
import { queryOne, queryRows } from '../../common/database/sql.js';

export interface InvitationRecord {
  id: string;
  tenant_id: string;
  tenant_name: string;
  email: string;
  role: TenantRole;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = `i.id, i.tenant_id, t.name AS tenant_name, i.email, i.role, i.created_at,
  i.expires_at, i.accepted_at, i.revoked_at`;

@Injectable()
export class InvitationsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new invitation; a pending one to the same address for the same tenant is revoked. */
  async replace(
    invitation: {
      tenantId: string;
      email: string;
      role: TenantRole;
      tokenHash: string;
      invitedBy: string | null;
      expiresAt: Date;
    },
    now: Date,
  ): Promise<InvitationRecord> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE invitations SET revoked_at = $3
         WHERE tenant_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL`,
        [invitation.tenantId, invitation.email, now],
      );
      const row = await queryOne<{ id: string }>(
        manager,
        `INSERT INTO invitations (tenant_id, email, role, token_hash, invited_by, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
        [
          invitation.tenantId,
          invitation.email,
          invitation.role,
          invitation.tokenHash,
          invitation.invitedBy,
          invitation.expiresAt,
          now,
        ],
      );
      const created = await this.find(row?.id ?? '', manager);
      if (!created) {
        throw new Error('invitation insert returned nothing');
      }
      return created;
    });
  }

  find(id: string, manager?: EntityManager): Promise<InvitationRecord | undefined> {
    return queryOne<InvitationRecord>(
      manager ?? this.dataSource,
      `SELECT ${COLUMNS} FROM invitations i JOIN tenant_directory t ON t.id = i.tenant_id WHERE i.id = $1`,
      [id],
    );
  }

  list(tenantId: string): Promise<InvitationRecord[]> {
    return queryRows<InvitationRecord>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM invitations i JOIN tenant_directory t ON t.id = i.tenant_id
       WHERE i.tenant_id = $1 ORDER BY i.created_at DESC, i.id DESC LIMIT 500`,
      [tenantId],
    );
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE invitations SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 AND accepted_at IS NULL`,
      [id, now],
    );
  }

  /** Marks the invitation used, once: valid, unrevoked, unexpired, unaccepted (row-locked). */
  claim(
    manager: EntityManager,
    tokenHash: string,
    now: Date,
  ): Promise<InvitationRecord | undefined> {
    return queryOne<InvitationRecord>(
      manager,
      `UPDATE invitations i SET accepted_at = $2
       FROM tenant_directory t
       WHERE t.id = i.tenant_id AND i.token_hash = $1 AND i.accepted_at IS NULL
         AND i.revoked_at IS NULL AND i.expires_at > $2 AND t.status = 'active'
       RETURNING ${COLUMNS}`,
      [tokenHash, now],
    );
  }

  async recordAcceptedBy(manager: EntityManager, id: string, userId: string): Promise<void> {
    await manager.query(`UPDATE invitations SET accepted_by = $2 WHERE id = $1`, [id, userId]);
  }
}
