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
import { User } from '../users/user.entity.js';
import { SchoolClass } from './class.entity.js';

export const CLASS_ROLES = ['student', 'teacher', 'assistant'] as const;
export type ClassRole = (typeof CLASS_ROLES)[number];
export type ClassMemberAddedBy = 'admin' | 'teacher' | 'self';

@Entity({ name: 'class_members' })
@Unique('uq_class_members_class_user', ['classId', 'userId'])
@Check('chk_class_members_role', `"role" IN ('student', 'teacher', 'assistant')`)
@Check('chk_class_members_added_by_role', `"added_by_role" IN ('admin', 'teacher', 'self')`)
@Index('idx_class_members_user', ['userId'])
export class ClassMember {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  classId!: string;

  @ManyToOne(() => SchoolClass, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'class_id', foreignKeyConstraintName: 'fk_class_members_class' })
  schoolClass?: SchoolClass;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_class_members_user' })
  user?: User;

  @Column({ type: 'varchar', length: 16 })
  role!: ClassRole;

  @CreateDateColumn({ type: 'timestamptz' })
  joinedAt!: Date;

  /** Who put the member in the class (null: before this was recorded) */
  @Column({ type: 'uuid', nullable: true })
  addedBy!: string | null;

  /** 'admin' (a school admin or platform staff), 'teacher', or 'self' (a join code) */
  @Column({ type: 'varchar', length: 16, nullable: true })
  addedByRole!: ClassMemberAddedBy | null;
}
