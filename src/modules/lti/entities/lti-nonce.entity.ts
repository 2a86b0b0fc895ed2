import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A nonce a platform's id_token carried and we accepted: never accepted twice. */
@Entity({ name: 'lti_nonces' })
export class LtiNonce {
  @PrimaryColumn({ type: 'uuid' })
  platformId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  nonce!: string;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;
}
