import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A verified Stripe event, stored before it is processed (the inbox of the webhook). */
@Entity({ name: 'stripe_events' })
export class StripeEvent {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  type!: string;

  @Column({ type: 'timestamptz' })
  stripeCreatedAt!: Date;

  @Column({ type: 'boolean' })
  livemode!: boolean;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** `webhook`, or `reconciliation` for events Stripe could not deliver. */
  @Column({ type: 'varchar', length: 20, default: 'webhook' })
  source!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  enqueuedAt!: Date | null;

  /** Bumped each time the event is queued again (a retry): its job id is `<id>-r<round>`. */
  @Column({ type: 'integer', default: 0 })
  enqueueRound!: number;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  /** Set when the queue gave up on it: it waits for an admin's retry. */
  @Column({ type: 'timestamptz', nullable: true })
  failedAt!: Date | null;
}
