import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { User } from '../users/user.entity.js';
import { Tenant } from '../tenants/tenant.entity.js';

/** A class of a school (teachers, assistants and students, joined by code or added by staff); routes in classes.controller.ts. */
@Entity({ name: 'classes' })
@Index('idx_classes_tenant', ['tenantId', 'archived'])
export class SchoolClass {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'fk_classes_tenant' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  subject!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  grade!: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  term!: string | null;

  @Index('uq_classes_join_code', { unique: true })
  @Column({ type: 'varchar', length: 16 })
  joinCode!: string;

  @Column({ type: 'boolean', default: false })
  archived!: boolean;

  /** Who made the class (a teacher or admin); null once that account is gone. */
  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_classes_created_by' })
  creator?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
