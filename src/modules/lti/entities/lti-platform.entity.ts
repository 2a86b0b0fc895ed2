import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const LTI_PRODUCTS = [
  'canvas',
  'moodle',
  'brightspace',
  'blackboard',
  'schoology',
  'sakai',
  'other',
] as const;
export type LtiProduct = (typeof LTI_PRODUCTS)[number];

export const LTI_PLATFORM_STATUSES = ['active', 'awaiting_approval', 'disabled'] as const;
export type LtiPlatformStatus = (typeof LTI_PLATFORM_STATUSES)[number];

/** An LMS registration one school trusts: one (issuer, client_id) belongs to one tenant. */
@Entity({ name: 'lti_platforms' })
export class LtiPlatform {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'varchar', length: 255 })
  issuer!: string;

  @Column({ type: 'varchar', length: 255 })
  clientId!: string;

  @Column({ type: 'varchar', length: 2048 })
  authLoginUrl!: string;

  @Column({ type: 'varchar', length: 2048 })
  tokenUrl!: string;

  /** Brightspace wants its own audience in client assertions; null: the token URL. */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  tokenAudience!: string | null;

  @Column({ type: 'varchar', length: 2048 })
  jwksUrl!: string;

  @Column({ type: 'varchar', length: 100 })
  displayName!: string;

  @Column({ type: 'varchar', length: 32, default: 'other' })
  product!: LtiProduct;

  @Column({ type: 'varchar', length: 24, default: 'active' })
  status!: LtiPlatformStatus;

  @Column({ type: 'varchar', length: 16, default: 'manual' })
  registeredVia!: 'manual' | 'dynamic';

  @Column({ type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
