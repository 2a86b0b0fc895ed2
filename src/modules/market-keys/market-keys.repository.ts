import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryOne, queryRows } from '../../common/database/sql.js';

export interface MarketKeyRow {
  id: string;
  name: string;
  key_prefix: string;
  key_hash: string;
  source: 'admin' | 'env';
  created_by: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = `id, name, key_prefix, key_hash, source, created_by, created_at, last_used_at,
  revoked_at`;

@Injectable()
export class MarketKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findLiveByHash(keyHash: string): Promise<MarketKeyRow | undefined> {
    return queryOne<MarketKeyRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM market_api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [keyHash],
    );
  }

  async insert(key: {
    name: string;
    keyPrefix: string;
    keyHash: string;
    source: 'admin' | 'env';
    createdBy: string | null;
  }): Promise<MarketKeyRow> {
    const row = await queryOne<MarketKeyRow>(
      this.dataSource,
      `INSERT INTO market_api_keys (name, key_prefix, key_hash, source, created_by)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [key.name, key.keyPrefix, key.keyHash, key.source, key.createdBy],
    );
    return row as MarketKeyRow;
  }

  /** Seeds the keys from the environment; env keys no longer listed are revoked. */
  async syncEnvKeys(keys: Array<{ name: string; keyPrefix: string; keyHash: string }>, now: Date) {
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `UPDATE market_api_keys SET revoked_at = $2
         WHERE source = 'env' AND revoked_at IS NULL AND NOT (key_hash = ANY($1))`,
        [keys.map((key) => key.keyHash), now],
      );
      for (const key of keys) {
        await manager.query(
          `INSERT INTO market_api_keys (name, key_prefix, key_hash, source)
           VALUES ($1, $2, $3, 'env')
           ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL WHERE market_api_keys.source = 'env'`,
          [key.name, key.keyPrefix, key.keyHash],
        );
      }
    });
  }

  list(): Promise<MarketKeyRow[]> {
    return queryRows<MarketKeyRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM market_api_keys ORDER BY created_at DESC, id`,
    );
  }

  /** Returns whether a live key was revoked. */
  async revoke(id: string, now: Date): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.dataSource,
      `UPDATE market_api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL
       RETURNING id`,
      [id, now],
    );
    return rows.length > 0;
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE market_api_keys SET last_used_at = $2 WHERE id = $1`, [
      id,
      now,
    ]);
  }
}
