import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const LICENSE_STATUSES = ['active', 'over_allocated', 'expired', 'revoked'] as const;
export type LicenseStatus = (typeof LICENSE_STATUSES)[number];

/** A school's seats for a term: made by a super admin (`manual`) or by a Stripe seat plan. */
@Entity({ name: 'school_licenses' })
export class SchoolLicense {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'uuid', nullable: true })
  planId!: string | null;

  @Column({ type: 'integer' })
  totalSeats!: number;

  /** Kept with the seat rows in one transaction; the CHECKs hold it to `total_seats`. */
  @Column({ type: 'integer', default: 0 })
  usedSeats!: number;

  @Column({ type: 'timestamptz' })
  startsAt!: Date;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: LicenseStatus;

  /** `manual`, or the Stripe subscription id whose quantity it follows. */
  @Column({ type: 'varchar', length: 255, default: 'manual' })
  source!: string;

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
