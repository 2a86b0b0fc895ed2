import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** What can be bought: a recurring Stripe price, its features, and who may buy it. */
@Entity({ name: 'subscription_plans' })
export class SubscriptionPlan {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Minor units (cents, won): never a float. */
  @Column({ type: 'integer' })
  unitAmount!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 5 })
  interval!: 'month' | 'year';

  @Column({ type: 'integer', default: 0 })
  trialDays!: number;

  @Column({ type: 'jsonb', default: {} })
  features!: Record<string, unknown>;

  @Column({ type: 'boolean', default: false })
  seatBased!: boolean;

  @Column({ type: 'varchar', length: 10 })
  audience!: 'individual' | 'school';

  @Column({ type: 'boolean', default: true })
  isActive!: boolean;

  @Column({ type: 'varchar', length: 255 })
  stripeProductId!: string;

  @Column({ type: 'varchar', length: 255, unique: true })
  stripePriceId!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
