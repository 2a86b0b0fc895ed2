import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A gradebook column (AGS line item) of an LMS course, by its URL at the LMS. */
@Entity({ name: 'lti_line_items' })
export class LtiLineItem {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  platformId!: string;

  @Column({ type: 'varchar', length: 255 })
  contextId!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @Column({ type: 'varchar', length: 2048 })
  url!: string;

  @Column({ type: 'varchar', length: 255 })
  label!: string;

  @Column({ type: 'double precision' })
  scoreMaximum!: number;

  @Column({ type: 'varchar', length: 255, nullable: true })
  resourceId!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  tag!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  resourceLinkId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
