import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The one answer a deep-linking launch got (its key makes a second one impossible). */
@Entity({ name: 'lti_deep_link_responses' })
export class LtiDeepLinkResponse {
  @PrimaryColumn({ type: 'uuid' })
  launchId!: string;

  @Column({ type: 'uuid' })
  platformId!: string;

  @Column({ type: 'varchar', length: 64 })
  tenantId!: string;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'boolean' })
  cancelled!: boolean;

  @Column({ type: 'int' })
  itemCount!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
