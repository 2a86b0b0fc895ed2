import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';
import { User } from '../users/user.entity.js';

export type SessionRevokeReason =
  | 'logout'
  | 'logout_all'
  | 'revoked_by_user'
  | 'session_limit'
  | 'refresh_token_reused'
  | 'password_changed'
  | 'password_reset'
  | 'account_disabled'
  | 'membership_suspended'
  | 'account_deleted'
  | 'tenant_deactivated';

/** One signed-in device. Its refresh token family rotates on every refresh. */
@Entity({ name: 'sessions' })
@Index('idx_sessions_user_created', ['userId', 'createdAt'])
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_sessions_user' })
  user?: User;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @ManyToOne(() => Tenant, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_sessions_tenant' })
  tenant?: Tenant;

  /** The public half of every refresh token of this session (`<family>.<secret>`). */
  @Index('uq_sessions_refresh_family', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  refreshFamily!: string;

  /** SHA-256 (hex) of the current refresh token. */
  @Column({ type: 'char', length: 64 })
  refreshTokenHash!: string;

  @Column({ type: 'char', length: 64, nullable: true })
  previousTokenHash!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  rotatedAt!: Date | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  lastUsedAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  revokedReason!: SessionRevokeReason | null;

  /** Support staff acting as this user (an impersonation session: short, no refresh). */
  @Column({ type: 'uuid', nullable: true })
  impersonatorId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'impersonator_id', foreignKeyConstraintName: 'fk_sessions_impersonator' })
  impersonator?: User;
}
