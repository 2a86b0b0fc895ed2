import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A one-use Dynamic Registration link a school admin pastes into their LMS. */
@Entity({ name: 'lti_registration_links' })
export class LtiRegistrationLink {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tokenHash!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  /** The registration it produced. */
  @Column({ type: 'uuid', nullable: true })
  platformId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
