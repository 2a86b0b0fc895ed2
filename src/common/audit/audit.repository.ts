import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { AuditLog } from './audit-log.entity.js';

export type NewAuditLog = Omit<AuditLog, 'id' | 'createdAt'> & { createdAt: Date };

@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditLog) private readonly logs: Repository<AuditLog>) {}

  async insertMany(rows: NewAuditLog[]): Promise<void> {
    await this.logs.insert(rows as QueryDeepPartialEntity<AuditLog>[]);
  }
}
