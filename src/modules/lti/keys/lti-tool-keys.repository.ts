import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne, queryRows } from '../../../common/database/sql.js';

/** The public half of a tool key, as published in /lti/jwks. */
export interface LtiPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

export type LtiToolKeyStatus = 'signing' | 'published';

export interface LtiToolKeyRow {
  kid: string;
  public_jwk: LtiPublicJwk;
  private_key_sealed: string;
  status: LtiToolKeyStatus;
  created_at: Date;
  retired_at: Date | null;
}

export interface NewLtiToolKey {
  kid: string;
  publicJwk: LtiPublicJwk;
  privateKeySealed: string;
}

type Db = DataSource | EntityManager;

const COLUMNS = 'kid, public_jwk, private_key_sealed, status, created_at, retired_at';

@Injectable()
export class LtiToolKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findSigning(db: Db = this.dataSource): Promise<LtiToolKeyRow | undefined> {
    return queryOne<LtiToolKeyRow>(
      db,
      `SELECT ${COLUMNS} FROM lti_tool_keys WHERE status = 'signing'`,
    );
  }

  findByKid(kid: string): Promise<LtiToolKeyRow | undefined> {
    return queryOne<LtiToolKeyRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM lti_tool_keys WHERE kid = $1`,
      [kid],
    );
  }

  /** Every key still published: the signing one first, then the newest. */
  listAll(): Promise<LtiToolKeyRow[]> {
    return queryRows<LtiToolKeyRow>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM lti_tool_keys
        ORDER BY (status = 'signing') DESC, created_at DESC, kid`,
    );
  }

  /**
   * Inserts the key as the signing one unless one already signs (the unique partial index
   * `uq_lti_tool_keys_signing` decides between instances starting together). True if inserted.
   */
  async insertSigningIfNone(key: NewLtiToolKey, db: Db = this.dataSource): Promise<boolean> {
    const rows = await queryRows<{ kid: string }>(
      db,
      `INSERT INTO lti_tool_keys (kid, public_jwk, private_key_sealed, status)
       VALUES ($1, $2, $3, 'signing')
       ON CONFLICT DO NOTHING
       RETURNING kid`,
      [key.kid, JSON.stringify(key.publicJwk), key.privateKeySealed],
    );
    return rows.length === 1;
  }

  /**
   * In one transaction, serialized with other rotations by an advisory lock: the signing key
   * becomes published (retired_at now), the new key signs. The old kid, if there was one.
   */
  rotate(key: NewLtiToolKey): Promise<string | undefined> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('lti_tool_keys:rotate'))`);
      const retired = await queryOne<{ kid: string }>(
        manager,
        `UPDATE lti_tool_keys SET status = 'published', retired_at = now()
          WHERE status = 'signing'
          RETURNING kid`,
      );
      const inserted = await this.insertSigningIfNone(key, manager);
      if (!inserted) {
        throw new Error(`LTI tool key ${key.kid} could not become the signing key`);
      }
      return retired?.kid;
    });
  }

  /** Deletes a published (not signing) key; true if a row went. */
  async deletePublished(kid: string): Promise<boolean> {
    const rows = await queryRows<{ kid: string }>(
      this.dataSource,
      `DELETE FROM lti_tool_keys WHERE kid = $1 AND status <> 'signing' RETURNING kid`,
      [kid],
    );
    return rows.length === 1;
  }
}
