import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryOne } from '../../common/database/sql.js';
import type { FailedLoginResult } from '../users/users.repository.js';
import { SigningKeys } from './tokens/signing-keys.service.js';

// Each recorded failure also removes this many expired rows: the table holds little more
// than the identifiers that failed within the last lock window, however many an attacker
// makes up.
const PURGE_PER_FAILURE = 4;

// A count starts again after an expired lock, or when the last failure is older than the window.
const RESTARTS = `(f.locked_until IS NOT NULL AND f.locked_until <= $2)
  OR (f.locked_until IS NULL AND f.last_failed_at <= $2::timestamptz - make_interval(mins => $4))`;

/**
 * Lockout for identifiers no account with a password answers to (unknown addresses and
 * usernames, accounts without a password), with the same rules as `users.failed_login_count`,
 * so a lock says nothing about whether the account exists. In PostgreSQL: shared by every
 * instance. Identifiers are stored only as an HMAC under a key derived from the signing key.
 */
@Injectable()
export class LoginFailuresRepository {
  private readonly key: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    keys: SigningKeys,
  ) {
    this.key = keys.deriveSecret('sign-in-identifier');
  }

  /** `identifier`: normalised as the account lookup does (see PasswordSignIn). */
  hashOf(identifier: string): Buffer {
    return createHmac('sha256', this.key).update(identifier).digest();
  }

  async lockedUntil(identifierHash: Buffer, now: Date): Promise<Date | null> {
    const row = await queryOne<{ locked_until: Date }>(
      this.dataSource,
      `SELECT locked_until FROM login_failures WHERE identifier_hash = $1 AND locked_until > $2`,
      [identifierHash, now],
    );
    return row?.locked_until ?? null;
  }

  /** Counts a failure atomically, as UsersRepository.recordFailedLogin does for an account. */
  async recordFailure(
    identifierHash: Buffer,
    now: Date,
    maxAttempts: number,
    lockMinutes: number,
  ): Promise<FailedLoginResult> {
    const row = await queryOne<{ failed_count: number; locked_until: Date | null }>(
      this.dataSource,
      `WITH purged AS (
         DELETE FROM login_failures WHERE identifier_hash IN (
           SELECT identifier_hash FROM login_failures
           WHERE expires_at <= $2 AND identifier_hash <> $1 LIMIT ${PURGE_PER_FAILURE}))
       INSERT INTO login_failures AS f
         (identifier_hash, failed_count, last_failed_at, locked_until, expires_at)
       VALUES ($1, 1, $2,
         CASE WHEN $3::int <= 1 THEN $2::timestamptz + make_interval(mins => $4) END,
         $2::timestamptz + make_interval(mins => $4))
       ON CONFLICT (identifier_hash) DO UPDATE SET
         failed_count = CASE
           WHEN ${RESTARTS} THEN 1 ELSE f.failed_count + 1 END,
         locked_until = CASE
           WHEN f.locked_until > $2 THEN f.locked_until
           WHEN (CASE WHEN ${RESTARTS} THEN 1 ELSE f.failed_count + 1 END) >= $3::int
             THEN $2::timestamptz + make_interval(mins => $4)
           ELSE NULL END,
         last_failed_at = $2,
         expires_at = $2::timestamptz + make_interval(mins => $4)
       RETURNING failed_count, locked_until`,
      [identifierHash, now, maxAttempts, lockMinutes],
    );
    const lockedUntil = row?.locked_until ?? null;
    return {
      failedLoginCount: row?.failed_count ?? 0,
      lockedUntil,
      justLocked: lockedUntil !== null && row?.failed_count === maxAttempts,
    };
  }
}
