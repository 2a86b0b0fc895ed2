import { Column, Entity, PrimaryColumn } from 'typeorm';

export const LTI_DEPLOYMENT_STATUSES = ['approved', 'pending', 'refused'] as const;
export type LtiDeploymentStatus = (typeof LTI_DEPLOYMENT_STATUSES)[number];

/** A deployment of a registration: approved ones are the allow-list, unknown ones wait. */
@Entity({ name: 'lti_deployments' })
export class LtiDeployment {
  @PrimaryColumn({ type: 'uuid' })
  platformId!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  deploymentId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: LtiDeploymentStatus;

  @Column({ type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ type: 'uuid', nullable: true })
  decidedBy!: string | null;
}
