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

  /** The deployment of the last launch (LTI Advantage calls name it). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  deploymentId!: string | null;

  /** NRPS context_memberships_url of the latest launch that named one. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  membershipsUrl!: string | null;

  /** The rel="differences" link of the last roster read, when the LMS offers one. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  differencesUrl!: string | null;

  /** AGS line items container of the latest launch that named one. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  lineitemsUrl!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  agsScopes!: string[];
}
