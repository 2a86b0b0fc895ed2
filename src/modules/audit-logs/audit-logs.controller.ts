import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentUser } from '../../common/auth/current-user.decorator.js';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Roles } from '../../common/auth/roles.decorator.js';
import { AuditLogsService } from './audit-logs.service.js';
import { AuditLogQueryDto } from './dto/audit-log-query.dto.js';
import { AuditLogPageDto } from './dto/audit-log.dto.js';

@ApiTags('audit')
@ApiBearerAuth('bearer')
@Controller('audit-logs')
export class AuditLogsController {
  constructor(private readonly auditLogs: AuditLogsService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'The audit trail, newest first',
    description:
      "Tenant admins see their tenant's records, super admins everyone's (or one tenant's with tenant_id). Cursor pagination: pass next_cursor back as cursor. format=csv streams every matching record as a file (for FERPA/GDPR requests).",
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: AuditLogPageDto })
  async list(
    @CurrentUser() user: UserPrincipal,
    @Query() query: AuditLogQueryDto,
  ): Promise<AuditLogPageDto | StreamableFile> {
    if (query.format === 'csv') {
      const day = new Date().toISOString().slice(0, 10);
      const scope = query.tenant_id ?? user.tenantId ?? 'all';
      return new StreamableFile(this.auditLogs.exportCsv(user, query), {
        type: 'text/csv; charset=utf-8',
        disposition: `attachment; filename="audit-logs-${scope}-${day}.csv"`,
      });
    }
    return this.auditLogs.page(user, query);
  }
}
