import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// Rollups are written in the same statement as the events they count, and only for events
// that were new: stats read these, never the raw events (see usage-ingestion.repository.ts).

/** Per tenant, UTC day, user and model. `user_key` is the user id, or '' for no user. */
@Entity({ name: 'usage_daily' })
@Index('idx_usage_daily_tenant_user', ['tenantId', 'userKey', 'day'])
export class UsageDaily {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  tenantId!: string;

  @PrimaryColumn({ type: 'date' })
  day!: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  userKey!: string;

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
