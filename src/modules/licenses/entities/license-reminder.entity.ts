import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An expiry reminder sent: once per license, term (its expiry then) and threshold. */
@Entity({ name: 'license_reminders' })
export class LicenseReminder {
  @PrimaryColumn({ type: 'uuid' })
  licenseId!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  expiresAt!: Date;

  @PrimaryColumn({ type: 'integer' })
  daysBefore!: number;

  @Column({ type: 'timestamptz' })
  sentAt!: Date;
}
