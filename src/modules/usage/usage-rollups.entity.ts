import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// Rollups are written in the same statement as the events they count, and only for events
// that were new: stats read these, never the raw events (see usage-ingestion.repository.ts).

/** Per tenant, UTC day and model: the totals, costs by model and daily trends. */
@Entity({ name: 'usage_model_daily' })
export class UsageModelDaily {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenantId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  model!: string;

  @Column({ type: 'integer' })
  messages!: number;

  @Column({ type: 'bigint' })
  inputTokens!: string;

  @Column({ type: 'bigint' })
  outputTokens!: string;

  @Column({ type: 'numeric', precision: 16, scale: 6 })
  costUsd!: string;
}

/** Per tenant, UTC day and user (events with a user): active users, top users, member usage. */
@Entity({ name: 'usage_user_days' })
@Index('idx_usage_user_days_tenant_user', ['tenantId', 'userId', 'day'])
export class UsageUserDay {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenantId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'uuid' })
  userId!: string;

  @Column({ type: 'integer' })
  messages!: number;

  @Column({ type: 'bigint' })
  tokens!: string;

  @Column({ type: 'numeric', precision: 16, scale: 6 })
  costUsd!: string;
}

/** Per tenant and UTC hour: the activity pattern by hour of day and weekday. */
@Entity({ name: 'usage_hourly' })
export class UsageHourly {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenantId!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  hour!: Date;

  @Column({ type: 'integer' })
  messages!: number;

  @Column({ type: 'bigint' })
  tokens!: string;
}

/** One AI conversation (the services' session id): counted once, on the day it started. */
@Entity({ name: 'usage_sessions' })
@Index('idx_usage_sessions_tenant_started', ['tenantId', 'startedAt'])
export class UsageSession {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenantId!: string;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  sessionId!: string;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ type: 'timestamptz' })
  startedAt!: Date;

  @Column({ type: 'timestamptz' })
  lastAt!: Date;
}
