import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A refused launch: which check failed, for the school debugging "the tool failed". */
@Entity({ name: 'lti_launch_failures' })
export class LtiLaunchFailure {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  platformId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  tenantId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  errorCode!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  issuer!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  deploymentId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  subject!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  contextId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
