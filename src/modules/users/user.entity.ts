import {
  Check,
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { PlatformRole } from '../../common/auth/roles.js';

/** One identity per person across tenants; what they may do in a school lives in memberships. */
@Entity({ name: 'users' })
@Check('chk_users_platform_role', `"platform_role" IN ('super_admin')`)
@Check('chk_users_email_lowercase', `"email" = lower("email")`)
@Check('chk_users_failed_login_count', `"failed_login_count" >= 0`)
// Deleted accounts free their address for a new registration.
@Index('uq_users_email_live', ['email'], { unique: true, where: '"deleted_at" IS NULL' })
@Index('idx_users_created_at', ['createdAt'])
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Stored lower-cased; null for pupils without an address (they sign in by username). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  passwordHash!: string | null;

  @Column({ type: 'varchar', length: 100 })
  fullName!: string;

  @Column({ type: 'varchar', length: 50, nullable: true })
  username!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  phone!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  gradeLevel!: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  profileImageUrl!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  preferences!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, nullable: true })
  platformRole!: PlatformRole | null;

  @Column({ type: 'boolean', default: true })
  isActive!: boolean;

  /** Set by an admin-issued temporary password: only the password change works until then. */
  @Column({ type: 'boolean', default: false })
  mustChangePassword!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  emailVerifiedAt!: Date | null;

  /**
   * The school that made the account and alone may reset, impersonate or edit it; null once
   * the account is self-managed (registered, provider sign-in, invitation accepted with an
   * existing account, a second membership), and never set again.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  managedByTenantId!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  failedLoginCount!: number;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;

  /** The last failed sign-in: failures older than the lock window no longer count. */
  @Column({ type: 'timestamptz', nullable: true, select: false })
  lastFailedLoginAt?: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @DeleteDateColumn({ type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
