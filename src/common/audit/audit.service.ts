import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { redactSecrets } from '../observability/log-redaction.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { AuditActorType, AuditOutcome } from './audit-log.entity.js';
import { AuditRepository, type NewAuditLog } from './audit.repository.js';

export interface AuditEntry {
  actorType: AuditActorType;
  actorId?: string | null;
  onBehalfOf?: string | null;
  tenantId?: string | null;
  action: string;
  resourceType?: string | null;
  resourceId?: string | null;
  outcome: AuditOutcome;
  statusCode?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  metadata?: Record<string, unknown>;
}

const FLUSH_INTERVAL_MS = 200;
const MAX_BATCH = 200;
const MAX_METADATA_CHARS = 4000;

/**
 * Records audit entries off the request path: entries are buffered and written in batches,
 * so a slow or failing insert never fails or slows the request that caused it.
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private buffer: NewAuditLog[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly written: Counter<'result'>;

  constructor(
    private readonly repository: AuditRepository,
    metrics: MetricsService,
  ) {
    this.written = metrics.counter({
      name: 'audit_records_total',
      help: 'Audit records written, or lost when the database refused them',
      labelNames: ['result'],
    });
  }

  record(entry: AuditEntry): void {
    this.buffer.push(toRow(entry));
    if (this.buffer.length >= MAX_BATCH) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Writes everything recorded so far; resolves once it is in the database (or logged as lost). */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.buffer;
    this.buffer = [];
    this.inFlight = this.inFlight.then(() => this.write(batch));
    return this.inFlight;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async write(batch: NewAuditLog[]): Promise<void> {
    if (batch.length === 0) {
      return;
    }
    try {
      await this.repository.insertMany(batch);
      this.written.inc({ result: 'written' }, batch.length);
    } catch (error) {
      this.written.inc({ result: 'lost' }, batch.length);
      this.logger.error({ err: error, count: batch.length }, 'audit records could not be written');
    }
  }
}

function toRow(entry: AuditEntry): NewAuditLog {
  return {
    actorType: entry.actorType,
    actorId: entry.actorId ?? null,
    onBehalfOf: entry.onBehalfOf ?? null,
    tenantId: entry.tenantId ?? null,
    action: entry.action.slice(0, 128),
    resourceType: entry.resourceType?.slice(0, 64) ?? null,
    resourceId: entry.resourceId?.slice(0, 128) ?? null,
    outcome: entry.outcome,
    statusCode: entry.statusCode ?? null,
    ip: entry.ip?.slice(0, 64) ?? null,
    userAgent: entry.userAgent?.slice(0, 512) ?? null,
    requestId: entry.requestId?.slice(0, 128) ?? null,
    metadata: boundedMetadata(entry.metadata ?? {}),
    createdAt: new Date(),
  };
}

function boundedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const clean = redactSecrets(metadata) as Record<string, unknown>;
  if (JSON.stringify(clean).length <= MAX_METADATA_CHARS) {
    return clean;
  }
  return { truncated: true, keys: Object.keys(clean) };
}
