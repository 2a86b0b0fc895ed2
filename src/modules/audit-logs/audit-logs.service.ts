import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/auth/principal.js';
import { assertTenantScope } from '../../common/auth/tenant-access.js';
import { AppException } from '../../common/errors/app.exception.js';
import { AUDIT_CSV_HEADER, csvRow } from './audit-csv.js';
import {
  AuditLogsRepository,
  type AuditFilter,
  type AuditPosition,
} from '../../common/audit/audit-logs.repository.js';
import type { AuditLogQueryDto } from './dto/audit-log-query.dto.js';
import { mapAuditLog, type AuditLogPageDto } from './dto/audit-log.dto.js';

const DEFAULT_PAGE = 50;
const EXPORT_BATCH = 1000;
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/;

@Injectable()
export class AuditLogsService {
  constructor(private readonly records: AuditLogsRepository) {}

  async page(
    principal: Principal,
    tenantId: string | undefined,
    query: AuditLogQueryDto,
  ): Promise<AuditLogPageDto> {
    assertTenantScope(principal, tenantId);
    const limit = query.limit ?? DEFAULT_PAGE;
    const rows = await this.records.page(
      this.filterFor(tenantId, query),
      decodeCursor(query.cursor),
      limit + 1,
    );
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(mapAuditLog),
      next_cursor:
        rows.length > limit && last
          ? encodeCursor({ createdAt: last.position_at, id: last.id })
          : null,
    };
  }

  /**
   * Every matching record as CSV, read in keyset batches while the client downloads: memory
   * stays flat whatever the size, and no transaction is held open.
   */
  exportCsv(principal: Principal, tenantId: string | undefined, query: AuditLogQueryDto): Readable {
    assertTenantScope(principal, tenantId);
    const filter = this.filterFor(tenantId, query);
    const records = this.records;
    let position = decodeCursor(query.cursor);
    async function* lines(): AsyncGenerator<string> {
      yield AUDIT_CSV_HEADER;
      for (;;) {
        const batch = await records.page(filter, position, EXPORT_BATCH);
        if (batch.length > 0) {
          yield batch.map(csvRow).join('');
        }
        const last = batch.at(-1);
        if (batch.length < EXPORT_BATCH || !last) {
          return;
        }
        position = { createdAt: last.position_at, id: last.id };
      }
    }
    return Readable.from(lines(), { objectMode: false });
  }

  /** Tenant admins read their own tenant only; super admins everything, or one tenant. */
  private filterFor(tenantId: string | undefined, query: AuditLogQueryDto): AuditFilter {
    if (query.from && query.to && query.from >= query.to) {
      throw new AppException('COMMON_VALIDATION_FAILED', 'from must be before to', {
        fields: [{ field: 'from', errors: ['from must be before to'] }],
      });
    }
    return {
      tenantId,
      actorId: query.actor_id,
      actorType: query.actor_type,
      action: query.action,
      resourceType: query.resource_type,
      resourceId: query.resource_id,
      outcome: query.outcome,
      requestId: query.request_id,
      from: query.from,
      to: query.to,
    };
  }
}

function encodeCursor(position: AuditPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): AuditPosition | undefined {
  if (cursor === undefined) {
    return undefined;
  }
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1] || !match[2]) {
    throw new AppException('COMMON_VALIDATION_FAILED', 'cursor is not one this API gave out', {
      fields: [{ field: 'cursor', errors: ['cursor is not one this API gave out'] }],
    });
  }
  return { createdAt: match[1], id: match[2] };
}
