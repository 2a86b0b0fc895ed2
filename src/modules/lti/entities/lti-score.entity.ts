import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The newest grading of (line item, student) and how its publication to the LMS went. */
@Entity({ name: 'lti_scores' })
export class LtiScore {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  lineItemId!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'varchar', length: 255 })
  lmsUserId!: string;

  @Column({ type: 'double precision', nullable: true })
  scoreGiven!: number | null;

  @Column({ type: 'double precision', nullable: true })
  scoreMaximum!: number | null;

  @Column({ type: 'varchar', length: 16 })
  activityProgress!: string;

  @Column({ type: 'varchar', length: 16 })
  gradingProgress!: string;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  comment!: string | null;

  /** When we graded it: the AGS timestamp, so a late job never overwrites a newer score. */
  @Column({ type: 'timestamptz' })
  gradedAt!: Date;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: 'pending' | 'sent' | 'failed';

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentGradedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
