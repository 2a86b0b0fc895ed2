import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator.js';
import { CurrentPrincipal } from '../../common/auth/current-principal.decorator.js';
import { resolveTenantScope } from '../../common/auth/tenant-access.js';
import type { Principal } from '../../common/auth/principal.js';
import { AuditLogsService } from './audit-logs.service.js';
import { AuditLogQueryDto } from './dto/audit-log-query.dto.js';
import { AuditLogPageDto } from './dto/audit-log.dto.js';
import { ApiErrors } from '../../common/errors/api-errors.decorator.js';

@ApiTags('audit')
@Controller('audit-logs')
export class AuditLogsController {
  constructor(private readonly auditLogs: AuditLogsService) {}

  @Get()
  @Access({ roles: ['admin'], apiKeyScopes: ['audit:read'] })
  @ApiOperation({
    summary: 'The audit trail, newest first',
    description:
      "Tenant admins see their tenant's records, super admins everyone's (or one tenant's with tenant_id). Cursor pagination: pass next_cursor back as cursor. format=csv streams every matching record as a file (for FERPA/GDPR requests).",
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiErrors('COMMON_FORBIDDEN')
  async list(
    @CurrentPrincipal() caller: Principal,
    @Query() query: AuditLogQueryDto,
  ): Promise<AuditLogPageDto | StreamableFile> {
    const tenantId = resolveTenantScope(caller, query.tenant_id);
    if (query.format === 'csv') {
      const day = new Date().toISOString().slice(0, 10);
      const own = caller.kind === 'user' || caller.kind === 'api_key' ? caller.tenantId : null;
      const scope = query.tenant_id ?? own ?? 'all';
      return new StreamableFile(this.auditLogs.exportCsv(caller, tenantId, query), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="audit-logs-${scope}-${day}.csv"`,
      });
    }
    return this.auditLogs.page(caller, tenantId, query);
  }
}
