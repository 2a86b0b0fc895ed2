import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** An LMS access token for (registration, scopes), sealed, shared by every instance. */
@Entity({ name: 'lti_service_tokens' })
export class LtiServiceToken {
  @PrimaryColumn({ type: 'uuid' })
  platformId!: string;

  /** The scopes, sorted and space-separated. */
  @PrimaryColumn({ type: 'varchar', length: 1024 })
  scopes!: string;

  @Column({ type: 'text' })
  accessTokenSealed!: string;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
