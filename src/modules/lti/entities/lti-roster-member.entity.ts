import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A member of an LMS course's roster as the last sync saw them. */
@Entity({ name: 'lti_roster_members' })
export class LtiRosterMember {
  @PrimaryColumn({ type: 'uuid' })
  platformId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  contextId!: string;

  /** The LMS's user id (the launch's `sub`). */
  @PrimaryColumn({ type: 'varchar', length: 255 })
  lmsUserId!: string;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  /** Active, Inactive, Deleted (NRPS), or Gone: no longer listed by a full read. */
  @Column({ type: 'varchar', length: 16 })
  status!: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  roles!: string[];

  @Column({ type: 'uuid' })
  lastSyncId!: string;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}
