import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** A Stripe subscription as Stripe last said it is, with the payer it belongs to. */
@Entity({ name: 'subscriptions' })
export class Subscription {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 255, unique: true })
  stripeSubscriptionId!: string;

  @Column({ type: 'varchar', length: 255 })
  stripeCustomerId!: string;

  @Column({ type: 'uuid', nullable: true })
  payerUserId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  payerTenantId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  planId!: string | null;

  @Column({ type: 'varchar', length: 255 })
  stripePriceId!: string;

  /** Stripe's own names: trialing, active, past_due, canceled, unpaid, incomplete, paused, ... */
  @Column({ type: 'varchar', length: 30 })
  status!: string;

  @Column({ type: 'integer', default: 1 })
  quantity!: number;

  @Column({ type: 'timestamptz', nullable: true })
  currentPeriodStart!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  currentPeriodEnd!: Date | null;

  @Column({ type: 'boolean', default: false })
  cancelAtPeriodEnd!: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  trialEnd!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  canceledAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** When we first saw it past_due: the grace period counts from here. */
  @Column({ type: 'timestamptz', nullable: true })
  pastDueSince!: Date | null;

  /** When the state stored here was fetched from Stripe: an older fetch never overwrites it. */
  @Column({ type: 'timestamptz' })
  stripeSyncedAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
