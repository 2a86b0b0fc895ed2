import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Domain events written in the same transaction as the change they describe, then relayed to
 * the `events` queue: a rolled-back change publishes nothing, a committed one is never lost.
 */
@Entity({ name: 'outbox_events' })
@Index('idx_outbox_events_pending', ['occurredAt'], { where: '"published_at" IS NULL' })
// Limit events are written once per tenant, limit and period: found by their aggregate id.
@Index('idx_outbox_events_limit_reached', ['aggregateId'], {
  where: `"type" = 'tenant.limit_reached'`,
})
export class OutboxEvent {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 16 })
  version!: string;

  @Column({ type: 'varchar', length: 128 })
  aggregateId!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt!: Date | null;
}
