import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An LMS course (registration, context id) and the class it became. */
@Entity({ name: 'lti_contexts' })
export class LtiContext {
  @PrimaryColumn({ type: 'uuid' })
  platformId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  contextId!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  title!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  label!: string | null;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
