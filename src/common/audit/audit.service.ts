import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { redactSecrets } from '../observability/log-redaction.js';
import { backgroundTimeout } from '../observability/request-context.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { AuditActorType, AuditOutcome } from './audit-log.entity.js';
import { AuditRepository, type NewAuditLog } from './audit.repository.js';
import { storableJson, storableText, storableTextOrNull } from './storable.js';

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
 * Records audit entries. Ordinary request records are buffered and written in batches off the
 * request path, so a slow or failing insert never fails or slows the request that caused it.
 * Security events are written at once (`recordNow`), inside the change's transaction when
 * there is one, so neither a crash nor a rollback leaves them out of step with the change.
 * Every entry is made storable first (NUL and lone surrogates escaped, lengths cut): one
 * hostile string cannot cost the records it is batched with.
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
    let row: NewAuditLog;
    try {
      row = toRow(entry);
    } catch (error) {
      this.lose(1, error);
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= MAX_BATCH) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = backgroundTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /**
   * Writes one entry now. Inside `manager`'s transaction it commits or rolls back with the
   * change, and a failure fails the change; without one, a failure is counted and logged as
   * a lost record and the caller carries on.
   */
  async recordNow(entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const row = toRow(entry);
    if (manager) {
      try {
        await this.repository.insertMany([row], manager);
      } catch (error) {
        // The change's error handler logs what it catches: not the record the driver put on it.
        throw new AuditWriteError(failureReason(error));
      }
      this.written.inc({ result: 'written' });
      return;
    }
    try {
      await this.repository.insertMany([row]);
      this.written.inc({ result: 'written' });
    } catch (error) {
      this.lose(1, error);
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
      return;
    } catch (error) {
      if (batch.length === 1) {
        this.lose(1, error);
        return;
      }
      // One by one below: a record the database refuses costs only itself.
    }
    for (const [index, row] of batch.entries()) {
      try {
        await this.repository.insertMany([row]);
        this.written.inc({ result: 'written' });
      } catch (error) {
        if (!isRecordsFault(error)) {
          // The database itself is failing (down, table gone): the rest would fail alike.
          this.lose(batch.length - index, error);
          return;
        }
        this.lose(1, error);
      }
    }
  }

  /** Counts and logs lost records: how many and why, never what they held. */
  private lose(count: number, error: unknown): void {
    this.written.inc({ result: 'lost' }, count);
    this.logger.error(
      { count, reason: failureReason(error) },
      'audit records could not be written',
    );
  }
}

/** A security event that could not be written inside its change's transaction (which fails). */
export class AuditWriteError extends Error {
  constructor(readonly reason: string) {
    super(`audit record could not be written (${reason})`);
    this.name = 'AuditWriteError';
  }
}

/**
 * The log's reason for a lost record: the SQLSTATE or system error code, else the error's
 * class. Never the message or the error itself: drivers put the statement's parameters (the
 * records) on the error, and PostgreSQL quotes the refused JSON in its messages.
 */
export function failureReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code)) {
    return code;
  }
  return error instanceof Error ? error.constructor.name : typeof error;
}

/** A data exception (class 22) or a violated constraint (23): the record's fault, not the database's. */
function isRecordsFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

function toRow(entry: AuditEntry): NewAuditLog {
  return {
    actorType: entry.actorType,
    actorId: storableTextOrNull(entry.actorId, 64),
    onBehalfOf: storableTextOrNull(entry.onBehalfOf, 64),
    tenantId: storableTextOrNull(entry.tenantId, 64),
    action: storableText(entry.action, 128),
    resourceType: storableTextOrNull(entry.resourceType, 64),
    resourceId: storableTextOrNull(entry.resourceId, 128),
    outcome: entry.outcome,
    statusCode: entry.statusCode ?? null,
    ip: storableTextOrNull(entry.ip, 64),
    userAgent: storableTextOrNull(entry.userAgent, 512),
    requestId: storableTextOrNull(entry.requestId, 128),
    metadata: boundedMetadata(entry.metadata ?? {}),
    createdAt: new Date(),
  };
}

// JSON.stringify writes NUL and lone surrogates (never valid pairs) as these escapes.
const UNSTORABLE_IN_JSON = /\\u(?:0000|d[89a-f])/;

function boundedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  let clean = redactSecrets(metadata) as Record<string, unknown>;
  let json = serialized(clean);
  // The walk only when needed: most metadata is already storable, and this is every request.
  if (json === undefined || UNSTORABLE_IN_JSON.test(json)) {
    clean = storableJson(clean) as Record<string, unknown>;
    json = JSON.stringify(clean);
  }
  if (json.length <= MAX_METADATA_CHARS) {
    return clean;
  }
  return {
    truncated: true,
    keys: Object.keys(clean)
      .slice(0, 50)
      .map((key) => storableText(key, 64)),
  };
}

function serialized(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    // A bigint, say: storableJson makes it text.
    return undefined;
  }
}
