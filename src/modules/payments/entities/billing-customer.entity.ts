import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The one Stripe customer of a paying user or of a paying school. */
@Entity({ name: 'billing_customers' })
export class BillingCustomer {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  stripeCustomerId!: string;

  @Column({ type: 'uuid', nullable: true, unique: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true, unique: true })
  tenantId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
