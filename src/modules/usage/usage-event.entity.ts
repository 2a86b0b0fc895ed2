import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One AI call reported by the platform's AI services; idempotent by (tenant, event id). */
@Entity({ name: 'usage_events' })
@Check('chk_usage_events_tokens', `"input_tokens" >= 0 AND "output_tokens" >= 0`)
@Index('idx_usage_events_tenant_time', ['tenantId', 'occurredAt'])
export class UsageEvent {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  eventId!: string;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ type: 'varchar', length: 64 })
  model!: string;

  @Column({ type: 'integer' })
  inputTokens!: number;

  @Column({ type: 'integer' })
  outputTokens!: number;

  @Column({ type: 'numeric', precision: 14, scale: 6 })
  costUsd!: string;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
