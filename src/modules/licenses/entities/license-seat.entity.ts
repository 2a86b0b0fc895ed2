import { Column, Entity, PrimaryColumn } from 'typeorm';

export const SEAT_ASSIGNMENT_KINDS = ['admin', 'class', 'auto', 'lti'] as const;
export type SeatAssignmentKind = (typeof SEAT_ASSIGNMENT_KINDS)[number];

/** A student's seat on a license: one per (license, user). */
@Entity({ name: 'license_seats' })
export class LicenseSeat {
  @PrimaryColumn({ type: 'uuid' })
  licenseId!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'timestamptz' })
  assignedAt!: Date;

  @Column({ type: 'uuid', nullable: true })
  assignedBy!: string | null;

  /** How it was taken: by an admin or teacher, with a class, at sign-in, at an LTI launch. */
  @Column({ type: 'varchar', length: 8 })
  how!: SeatAssignmentKind;
}
