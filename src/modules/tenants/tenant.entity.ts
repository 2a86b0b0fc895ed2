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

  @Column({ type: 'jsonb', default: () => "'{}'" })
  settings!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
