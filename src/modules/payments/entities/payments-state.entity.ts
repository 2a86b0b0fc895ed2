import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Small shared bookkeeping (e.g. when reconciliation last asked Stripe for its events). */
@Entity({ name: 'payments_state' })
export class PaymentsState {
  @PrimaryColumn({ type: 'varchar', length: 50 })
  key!: string;

  @Column({ type: 'jsonb' })
  value!: Record<string, unknown>;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
