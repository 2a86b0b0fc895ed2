import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '../users/user.entity.js';

/** Every sign-in attempt, successful or not (kept for the account's sign-in history and failure metrics). */
@Entity({ name: 'login_history' })
@Index('idx_login_history_user_time', ['userId', 'createdAt'])
@Index('idx_login_history_created_at', ['createdAt'])
export class LoginHistory {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_login_history_user' })
  user?: User;

  /** The address or username tried, as typed (trimmed, lower-cased, truncated). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  emailTried!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'boolean' })
  success!: boolean;

  @Column({ type: 'varchar', length: 64, nullable: true })
  failureReason!: string | null;

  @Column({ type: 'varchar', length: 32, default: 'password' })
  provider!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
