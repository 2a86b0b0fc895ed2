import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../database/sql.js';
import type { AuditActorType, AuditOutcome } from './audit-log.entity.js';

export interface AuditFilter {
  tenantId?: string;
  actorId?: string;
  actorType?: AuditActorType;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  outcome?: AuditOutcome;
  requestId?: string;
  from?: string;
  to?: string;
}

/** Where a page starts: the (created_at, id) of the last record of the previous one. */
export interface AuditPosition {
  createdAt: string;
  id: string;
}

/**
 * One audit_logs row as the API reads it: `created_at` as every timestamp of the API writes
 * it (milliseconds, `toISOString()`), `position_at` with PostgreSQL's microseconds for the
 * cursor, so records within one millisecond are neither skipped nor repeated.
 */
export interface AuditRecord {
  id: string;
  created_at: string;
  position_at: string;
  tenant_id: string | null;
  actor_type: AuditActorType;
  actor_id: string | null;
  on_behalf_of: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  outcome: AuditOutcome;
  status_code: number | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  metadata: Record<string, unknown>;
}

const COLUMNS = `id,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position_at,
  tenant_id, actor_type, actor_id, on_behalf_of, action, resource_type, resource_id, outcome,
  status_code, ip, user_agent, request_id, metadata`;

/** The read side of the audit trail: newest first, keyset-paginated on (created_at, id). */
@Injectable()
export class AuditLogsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  page(
    filter: AuditFilter,
    after: AuditPosition | undefined,
    limit: number,
  ): Promise<AuditRecord[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.tenantId !== undefined) add('tenant_id = ?', filter.tenantId);
    if (filter.actorId !== undefined) add('actor_id = ?', filter.actorId);
    if (filter.actorType !== undefined) add('actor_type = ?', filter.actorType);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.resourceType !== undefined) add('resource_type = ?', filter.resourceType);
    if (filter.resourceId !== undefined) add('resource_id = ?', filter.resourceId);
    if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
    if (filter.requestId !== undefined) add('request_id = ?', filter.requestId);
    if (filter.from !== undefined) add('created_at >= ?::timestamptz', filter.from);
    if (filter.to !== undefined) add('created_at < ?::timestamptz', filter.to);
    if (after) {
      params.push(after.createdAt, after.id);
      where.push(
        `(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
      );
    }
    params.push(limit);
    // Qualified: a bare `created_at` in ORDER BY would name the formatted text column.
    return queryRows<AuditRecord>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM audit_logs
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY audit_logs.created_at DESC, audit_logs.id DESC
       LIMIT $${params.length}`,
      params,
    );
  }
}
