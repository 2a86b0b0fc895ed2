import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ApiKeyScope } from '../../common/auth/api-key-scopes.js';
import { queryOne, queryRows } from '../../common/database/sql.js';

export interface ApiKeyRecord {
  id: string;
  tenant_id: string | null;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  created_by: string | null;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** What authenticating a key needs: its hash, and whether it and its tenant are usable now. */
export interface ApiKeyCredential {
  id: string;
  tenant_id: string | null;
  key_hash: string;
  scopes: ApiKeyScope[];
  /** Neither revoked nor expired */
  usable: boolean;
  /** A platform key, or one of an active tenant */
  tenant_active: boolean;
}

const COLUMNS = `id, tenant_id, name, prefix, scopes, created_by, created_at, last_used_at,
  expires_at, revoked_at`;

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(key: {
    tenantId: string | null;
    name: string;
    prefix: string;
    keyHash: string;
    scopes: ApiKeyScope[];
    createdBy: string | null;
    expiresAt: Date | null;
  }): Promise<ApiKeyRecord> {
    const row = await queryOne<ApiKeyRecord>(
      this.dataSource,
      `INSERT INTO api_keys (tenant_id, name, prefix, key_hash, scopes, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [key.tenantId, key.name, key.prefix, key.keyHash, key.scopes, key.createdBy, key.expiresAt],
    );
    if (!row) {
      throw new Error('api key insert returned nothing');
    }
    return row;
  }

  /** Keys of one tenant, or (`undefined`) of every tenant and the platform, newest first. */
  list(tenantId: string | null | undefined): Promise<ApiKeyRecord[]> {
    return queryRows<ApiKeyRecord>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM api_keys
       WHERE $1::boolean OR tenant_id IS NOT DISTINCT FROM $2
       ORDER BY created_at DESC, id DESC`,
      [tenantId === undefined, tenantId ?? null],
    );
  }

  find(id: string): Promise<ApiKeyRecord | undefined> {
    return queryOne<ApiKeyRecord>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM api_keys WHERE id = $1`,
      [id],
    );
  }

  async revoke(id: string, now: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`,
      [id, now],
    );
  }

  findCredential(prefix: string, now: Date): Promise<ApiKeyCredential | undefined> {
    return queryOne<ApiKeyCredential>(
      this.dataSource,
      `SELECT k.id, k.tenant_id, k.key_hash, k.scopes,
              (k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)) AS usable,
              (k.tenant_id IS NULL OR t.status = 'active') AS tenant_active
       FROM api_keys k LEFT JOIN tenant_directory t ON t.id = k.tenant_id
       WHERE k.prefix = $1`,
      [prefix, now],
    );
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, [id, now]);
  }
}
