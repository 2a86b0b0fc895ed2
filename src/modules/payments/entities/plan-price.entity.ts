import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Every Stripe price a plan has had: subscribers keep theirs after a price change. */
@Entity({ name: 'plan_prices' })
export class PlanPrice {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  stripePriceId!: string;

  @Column({ type: 'uuid' })
  planId!: string;

  @Column({ type: 'integer' })
  unitAmount!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 5 })
  interval!: 'month' | 'year';

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;
}
