import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A content item a teacher sent to the LMS by deep linking. Its id rides in the item's custom
 * parameters (`dreamseed_item_id`); the first launch of it records the LMS's resource link id.
 */
@Entity({ name: 'lti_deep_linked_items' })
export class LtiDeepLinkedItem {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  launchId!: string | null;

  @Column({ type: 'uuid' })
  platformId!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  contextId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  classId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  title!: string | null;

  @Column({ type: 'varchar', length: 2048, nullable: true })
  url!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  custom!: Record<string, string>;

  @Column({ type: 'jsonb', nullable: true })
  lineItem!: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  resourceLinkId!: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
