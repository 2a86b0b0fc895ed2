import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { queryRows } from '../../common/database/sql.js';
import type { MarketUserUsageDto } from './dto/market-user.dto.js';

/** All-time usage of some members of a tenant, from the rollups. */
@Injectable()
export class MarketMemberUsageRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async byUser(tenantId: string, userIds: string[]): Promise<Map<string, MarketUserUsageDto>> {
    if (userIds.length === 0) {
      return new Map();
    }
    const rows = await queryRows<{
      user_id: string;
      messages: string;
      tokens: string;
      sessions: string;
    }>(
      this.dataSource,
      `SELECT u.user_id,
              COALESCE((SELECT sum(d.messages) FROM usage_daily d
                        WHERE d.tenant_id = $1 AND d.user_key = u.user_id::text), 0) AS messages,
              COALESCE((SELECT sum(d.input_tokens + d.output_tokens) FROM usage_daily d
                        WHERE d.tenant_id = $1 AND d.user_key = u.user_id::text), 0) AS tokens,
              (SELECT count(*) FROM usage_sessions s
               WHERE s.tenant_id = $1 AND s.user_id = u.user_id) AS sessions
       FROM unnest($2::uuid[]) AS u(user_id)`,
      [tenantId, userIds],
    );
    return new Map(
      rows.map((row) => [
        row.user_id,
        {
          sessions: Number(row.sessions),
          messages: Number(row.messages),
          tokens: Number(row.tokens),
        },
      ]),
    );
  }
}
