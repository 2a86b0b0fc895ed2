import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { queryOne } from '../../common/database/sql.js';
import type { OneTimeTokenPurpose } from './one-time-token.entity.js';
import { hashToken } from './tokens/refresh-tokens.js';

@Injectable()
export class OneTimeTokensRepository {
  /** Issues a token (earlier unused ones of the same purpose stop working); returns the secret. */
  async issue(
    manager: EntityManager,
    userId: string,
    purpose: OneTimeTokenPurpose,
    now: Date,
    ttlMs: number,
    context: Record<string, unknown> | null = null,
  ): Promise<string> {
    await manager.query(
      `UPDATE one_time_tokens SET used_at = $3
       WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [userId, purpose, now],
    );
    const token = randomBytes(32).toString('base64url');
    await manager.query(
      `INSERT INTO one_time_tokens (user_id, purpose, token_hash, expires_at, created_at, context)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [userId, purpose, hashToken(token), new Date(now.getTime() + ttlMs), now, context],
    );
    return token;
  }

  /** Marks the token used if it is valid; returns its user, or undefined. Single use, atomically. */
  async consume(
    manager: EntityManager,
    token: string,
    purpose: OneTimeTokenPurpose,
    now: Date,
  ): Promise<string | undefined> {
    return (await this.claim(manager, token, purpose, now))?.userId;
  }

  /** `consume`, with what the token was issued for. */
  async claim(
    manager: EntityManager,
    token: string,
    purpose: OneTimeTokenPurpose,
    now: Date,
  ): Promise<{ userId: string; context: Record<string, unknown> | null } | undefined> {
    const row = await queryOne<{ user_id: string; context: Record<string, unknown> | null }>(
      manager,
      `UPDATE one_time_tokens SET used_at = $3
       WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
       RETURNING user_id, context`,
      [hashToken(token), purpose, now],
    );
    return row ? { userId: row.user_id, context: row.context } : undefined;
  }
}
