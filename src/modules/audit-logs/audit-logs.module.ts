import { Module } from '@nestjs/common';
import { AuditLogsController } from './audit-logs.controller.js';
import { AuditLogsRepository } from './audit-logs.repository.js';
import { AuditLogsService } from './audit-logs.service.js';

/** The audit trail API (the write side is common/audit). */
@Module({
  controllers: [AuditLogsController],
  providers: [AuditLogsRepository, AuditLogsService],
})
export class AuditLogsModule {}
