import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Failed sign-ins per submitted identifier (an email, or tenant + username) that no account
 * with a password answers to, keyed by a keyed hash of it. Rows expire with the lock window.
 */
@Entity({ name: 'login_failures' })
@Index('idx_login_failures_expires_at', ['expiresAt'])
export class LoginFailure {
  @PrimaryColumn({ type: 'bytea', primaryKeyConstraintName: 'pk_login_failures' })
  identifierHash!: Buffer;

  @Column({ type: 'integer' })
  failedCount!: number;

  @Column({ type: 'timestamptz' })
  lastFailedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}
