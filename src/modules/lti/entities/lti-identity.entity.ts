import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A person at an LMS, by (issuer, subject), and the account they launch into. */
@Entity({ name: 'lti_identities' })
export class LtiIdentity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  issuer!: string;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'uuid', nullable: true })
  platformId!: string | null;

  /** The keys that vouched for it: another registration of the issuer must trust the same. */
  @Column({ type: 'varchar', length: 2048 })
  jwksUrl!: string;

  /** What the LMS said; never verified, never a sign-in identifier. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  /** SHA-256 of the one-time code that moves this identity to an account the person signs in to. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  linkCodeHash!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  linkCodeExpiresAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastLaunchAt!: Date | null;
}
