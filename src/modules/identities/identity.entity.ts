import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '../users/user.entity.js';

export const IDENTITY_PROVIDERS = ['google', 'kakao', 'naver', 'microsoft'] as const;
export type IdentityProvider = (typeof IDENTITY_PROVIDERS)[number];

/** A sign-in account at an outside provider, linked to one of our users. */
@Entity({ name: 'identities' })
@Check('chk_identities_provider', `"provider" IN ('google', 'kakao', 'naver', 'microsoft')`)
// One provider account links to one user, and a user links at most one account per provider.
@Index('uq_identities_provider_subject', ['provider', 'subject'], { unique: true })
@Index('uq_identities_user_provider', ['userId', 'provider'], { unique: true })
export class Identity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_identities_user' })
  user?: User;

  @Column({ type: 'varchar', length: 32 })
  provider!: IdentityProvider;

  /** The provider's stable account id (`sub`), never the email. */
  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  /** The address the provider reported when the account was linked. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
