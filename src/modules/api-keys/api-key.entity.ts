import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import type { ApiKeyScope } from '../../common/auth/api-key-scopes.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { User } from '../users/user.entity.js';

/** A service account's key: `<prefix>_<secret>`, of which only the prefix and a hash are kept. */
@Entity({ name: 'api_keys' })
@Index('idx_api_keys_tenant', ['tenantId', 'createdAt'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Null: a platform key (created by a super admin), valid across tenants. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_api_keys_tenant' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** Public part of the key, shown in lists and used to find it. */
  @Index('uq_api_keys_prefix', { unique: true })
  @Column({ type: 'varchar', length: 16 })
  prefix!: string;

  /** SHA-256 (hex) of the whole key. */
  @Column({ type: 'char', length: 64 })
  keyHash!: string;

  @Column({ type: 'varchar', array: true, length: 32 })
  scopes!: ApiKeyScope[];

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_api_keys_created_by' })
  creator?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
