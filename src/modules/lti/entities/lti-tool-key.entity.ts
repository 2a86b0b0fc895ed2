import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One of the tool's RSA key pairs; the private half is sealed (AES-256-GCM). */
@Entity({ name: 'lti_tool_keys' })
export class LtiToolKey {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid!: string;

  @Column({ type: 'jsonb' })
  publicJwk!: Record<string, unknown>;

  @Column({ type: 'text' })
  privateKeySealed!: string;

  /** `signing`: the one we sign with; `published`: still in the JWKS until removed. */
  @Column({ type: 'varchar', length: 16 })
  status!: 'signing' | 'published';

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;
}
