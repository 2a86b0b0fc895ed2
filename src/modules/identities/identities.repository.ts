import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { isUniqueViolation, queryOne, queryRows } from '../../common/database/sql.js';
import { AppException } from '../../common/errors/app.exception.js';
import type { Identity, IdentityProvider } from './identity.entity.js';

export type IdentityView = Pick<
  Identity,
  'id' | 'userId' | 'provider' | 'subject' | 'email' | 'createdAt' | 'lastUsedAt'
>;

interface IdentityRow {
  id: string;
  user_id: string;
  provider: IdentityProvider;
  subject: string;
  email: string | null;
  created_at: Date;
  last_used_at: Date | null;
}

const SELECT_IDENTITY = `SELECT i.id, i.user_id, i.provider, i.subject, i.email, i.created_at,
  i.last_used_at FROM identities i`;

/** The only code that reads or writes `identities`; identities of deleted accounts are invisible. */
@Injectable()
export class IdentitiesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findBySubject(
    provider: IdentityProvider,
    subject: string,
    manager?: EntityManager,
  ): Promise<IdentityView | undefined> {
    const row = await queryOne<IdentityRow>(
      manager ?? this.dataSource,
      `${SELECT_IDENTITY} JOIN account_directory u ON u.id = i.user_id AND u.deleted_at IS NULL
       WHERE i.provider = $1 AND i.subject = $2`,
      [provider, subject],
    );
    return row ? toView(row) : undefined;
  }

  async listForUser(userId: string, manager?: EntityManager): Promise<IdentityView[]> {
    const rows = await queryRows<IdentityRow>(
      manager ?? this.dataSource,
      `${SELECT_IDENTITY} WHERE i.user_id = $1 ORDER BY i.created_at, i.id`,
      [userId],
    );
    return rows.map(toView);
  }

  /**
   * Links the provider account to the user. A provider account still linked to a deleted
   * account is released first. 409s: the account belongs to someone else, or the user already
   * has another account of this provider.
   */
  async link(
    manager: EntityManager,
    link: { userId: string; provider: IdentityProvider; subject: string; email: string | null },
    now: Date,
  ): Promise<void> {
    await manager.query(
      `DELETE FROM identities i USING account_directory u
       WHERE u.id = i.user_id AND u.deleted_at IS NOT NULL AND i.provider = $1 AND i.subject = $2`,
      [link.provider, link.subject],
    );
    try {
      await manager.query(
        `INSERT INTO identities (user_id, provider, subject, email, created_at, last_used_at)
         VALUES ($1, $2, $3, $4, $5, $5)`,
        [link.userId, link.provider, link.subject, link.email, now],
      );
    } catch (error) {
      if (isUniqueViolation(error, 'uq_identities_provider_subject')) {
        throw new AppException('AUTH_IDENTITY_IN_USE');
      }
      if (isUniqueViolation(error, 'uq_identities_user_provider')) {
        throw new AppException('AUTH_IDENTITY_ALREADY_LINKED');
      }
      throw error;
    }
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.dataSource.query(`UPDATE identities SET last_used_at = $2 WHERE id = $1`, [id, now]);
  }

  /** Returns whether a link was removed. */
  async unlink(
    manager: EntityManager,
    userId: string,
    provider: IdentityProvider,
  ): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      manager,
      `DELETE FROM identities WHERE user_id = $1 AND provider = $2 RETURNING id`,
      [userId, provider],
    );
    return rows.length > 0;
  }
}

function toView(row: IdentityRow): IdentityView {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    subject: row.subject,
    email: row.email,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
