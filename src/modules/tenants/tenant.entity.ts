import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const TENANT_STATUSES = ['active', 'suspended', 'deactivated'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** A school or university. `id` is the public slug used in URLs (`hallym_univ`). */
@Entity({ name: 'tenants' })
@Check('chk_tenants_status', `"status" IN ('active', 'suspended', 'deactivated')`)
@Check('chk_tenants_id', `"id" ~ '^[a-z0-9][a-z0-9_-]{1,62}$'`)
export class Tenant {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: TenantStatus;

  /** Configuration (limits, features, branding, Google domains): see tenant-settings.ts. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 32, nullable: true })
  plan!: string | null;

  /** start_date, end_date, auto_renew, as the Service Market sends them. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  subscription!: Record<string, unknown>;

  @Column({ type: 'timestamptz', nullable: true })
  activatedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  deactivationReason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
