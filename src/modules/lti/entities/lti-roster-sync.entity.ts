import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One roster sync of an LMS course (NRPS): at most one queued or running per course. */
@Entity({ name: 'lti_roster_syncs' })
export class LtiRosterSyncEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  platformId!: string;

  @Column({ type: 'varchar', length: 255 })
  contextId!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @Column({ type: 'varchar', length: 16 })
  trigger!: 'launch' | 'manual' | 'nightly';

  @Column({ type: 'uuid', nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status!: 'queued' | 'running' | 'succeeded' | 'failed';

  @Column({ type: 'varchar', length: 16, nullable: true })
  mode!: 'full' | 'differences' | null;

  @Column({ type: 'int', default: 0 })
  pages!: number;

  @Column({ type: 'int', default: 0 })
  members!: number;

  @Column({ type: 'int', default: 0 })
  added!: number;

  @Column({ type: 'int', default: 0 })
  removed!: number;

  @Column({ type: 'int', default: 0 })
  skipped!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  errorMessage!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
