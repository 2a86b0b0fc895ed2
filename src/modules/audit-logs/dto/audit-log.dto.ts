import type { AuditActorType, AuditOutcome } from '../../../common/audit/audit-log.entity.js';
import type { AuditRecord } from '../../../common/audit/audit-logs.repository.js';

export class AuditLogDto {
  id!: string;
  created_at!: string;
  tenant_id!: string | null;
  actor_type!: AuditActorType;
  actor_id!: string | null;
  /** The real person behind an impersonated call */
  on_behalf_of!: string | null;
  /** @example auth.login */
  action!: string;
  resource_type!: string | null;
  resource_id!: string | null;
  outcome!: AuditOutcome;
  status_code!: number | null;
  ip!: string | null;
  user_agent!: string | null;
  request_id!: string | null;
  metadata!: Record<string, unknown>;
}

export class AuditLogPageDto {
  items!: AuditLogDto[];
  /** Pass as `cursor` for the next page; null on the last one */
  next_cursor!: string | null;
}

export function mapAuditLog(record: AuditRecord): AuditLogDto {
  return {
    id: record.id,
    created_at: record.created_at,
    tenant_id: record.tenant_id,
    actor_type: record.actor_type,
    actor_id: record.actor_id,
    on_behalf_of: record.on_behalf_of,
    action: record.action,
    resource_type: record.resource_type,
    resource_id: record.resource_id,
    outcome: record.outcome,
    status_code: record.status_code,
    ip: record.ip,
    user_agent: record.user_agent,
    request_id: record.request_id,
    metadata: record.metadata,
  };
}
