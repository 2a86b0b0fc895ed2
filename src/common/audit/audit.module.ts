import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from './audit-log.entity.js';
import { AuditContextGuard } from './audit-context.guard.js';
import { AuditLogsRepository } from './audit-logs.repository.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';

@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditLog])],
  providers: [
    AuditRepository,
    AuditLogsRepository,
    AuditService,
    { provide: APP_GUARD, useClass: AuditContextGuard },
  ],
  // The audit trail's reads, for the audit-logs module's API: audit_logs is this module's table.
  exports: [AuditService, AuditLogsRepository],
})
export class AuditModule {}
