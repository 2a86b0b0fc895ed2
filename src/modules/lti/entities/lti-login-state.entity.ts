import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A login initiation awaiting its launch: single use, minutes long, bound to one browser. */
@Entity({ name: 'lti_login_states' })
export class LtiLoginState {
  /** SHA-256 of the state we sent; the state itself is never stored. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  stateHash!: string;

  @Column({ type: 'uuid' })
  platformId!: string;

  @Column({ type: 'varchar', length: 64 })
  nonce!: string;

  /** SHA-256 of the browser binding held in the state cookie or in platform storage. */
  @Column({ type: 'varchar', length: 64 })
  browserHash!: string;

  @Column({ type: 'varchar', length: 2048 })
  targetLinkUri!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  deploymentId!: string | null;

  /** The login's parameters, to start it again in a new window (and its storage target). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  loginParams!: Record<string, string>;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;
}
