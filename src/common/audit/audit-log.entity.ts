import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditActorType = 'user' | 'api_key' | 'market' | 'system' | 'anonymous';
export type AuditOutcome = 'success' | 'failure' | 'denied' | 'error';

@Entity({ name: 'audit_logs' })
@Check(
  'chk_audit_logs_actor_type',
  `"actor_type" IN ('user', 'api_key', 'market', 'system', 'anonymous')`,
)
@Check('chk_audit_logs_outcome', `"outcome" IN ('success', 'failure', 'denied', 'error')`)
// Keyset pagination reads (created_at, id) newest first, within a tenant or across all.
@Index('idx_audit_logs_tenant_time', ['tenantId', 'createdAt', 'id'])
@Index('idx_audit_logs_time', ['createdAt', 'id'])
@Index('idx_audit_logs_actor_time', ['actorId', 'createdAt'])
@Index('idx_audit_logs_action_time', ['action', 'createdAt'])
export class AuditLog {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  actorType!: AuditActorType;

  @Column({ type: 'varchar', length: 64, nullable: true })
  actorId!: string | null;

  /** The real person behind an impersonated call. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  onBehalfOf!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @Column({ type: 'varchar', length: 128 })
  action!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  resourceType!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  resourceId!: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  @Column({ type: 'smallint', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  requestId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  metadata!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
