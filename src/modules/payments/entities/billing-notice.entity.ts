import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A billing mail that went out, so the same notice is never sent twice. */
@Entity({ name: 'billing_notices' })
export class BillingNotice {
  @PrimaryColumn({ type: 'uuid' })
  subscriptionId!: string;

  @PrimaryColumn({ type: 'varchar', length: 30 })
  kind!: string;

  /** What the notice is about: the subscription's period, an invoice, an event. */
  @PrimaryColumn({ type: 'varchar', length: 255 })
  reference!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  sentAt!: Date;
}
