import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import type { TenantRole } from '../../common/auth/roles.js';
import { Tenant } from '../tenants/tenant.entity.js';
import { User } from './user.entity.js';

export type MembershipStatus = 'active' | 'suspended';

/** A person's role in one tenant: a teacher in two schools has two memberships. */
@Entity({ name: 'memberships' })
@Unique('uq_memberships_user_tenant', ['userId', 'tenantId'])
@Check('chk_memberships_role', `"role" IN ('student', 'teacher', 'admin')`)
@Check('chk_memberships_status', `"status" IN ('active', 'suspended')`)
@Index('idx_memberships_tenant_role', ['tenantId', 'role'])
// Pupils without an email sign in with tenant + username, unique inside the tenant.
@Index('uq_memberships_tenant_username', ['tenantId', 'username'], {
  unique: true,
  where: '"username" IS NOT NULL',
})
@Check('chk_memberships_username', `"username" ~ '^[a-z0-9._-]{3,50}$'`)
export class Membership {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_memberships_user' })
  user?: User;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_memberships_tenant' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 16 })
  role!: TenantRole;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: MembershipStatus;

  /** Lower-cased sign-in name inside the tenant (pupils without an email) */
  @Column({ type: 'varchar', length: 50, nullable: true })
  username!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  joinedAt!: Date;
}
