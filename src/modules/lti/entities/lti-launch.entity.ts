import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An accepted launch, with the claims later services need (AGS and NRPS endpoints). */
@Entity({ name: 'lti_launches' })
export class LtiLaunch {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  platformId!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 255 })
  deploymentId!: string;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  subject!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  contextId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  classId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  resourceLinkId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  messageType!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: string[];

  /** The role we gave: student, teacher, admin, or guest for an anonymous launch. */
  @Column({ type: 'varchar', length: 16 })
  role!: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  claims!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
