import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { WritePart } from '../../common/database/write-parts.js';
import { queryRows } from '../../common/database/sql.js';

export interface LoginAttempt {
  userId: string | null;
  emailTried: string | null;
  ip: string | null;
  userAgent: string | null;
  success: boolean;
  failureReason: string | null;
  provider?: string;
  at: Date;
}

@Injectable()
export class LoginHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(attempt: LoginAttempt, manager?: EntityManager): Promise<void> {
    const part = this.insertOf(attempt);
    await queryRows(manager ?? this.dataSource, part.sql, part.params);
  }

  /** The insert of `attempt`, for a caller's statement (a sign-in's writes go in one). */
  insertOf(attempt: LoginAttempt): WritePart {
    return {
      sql: `INSERT INTO login_history
         (user_id, email_tried, ip, user_agent, success, failure_reason, provider, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      params: [
        attempt.userId,
        attempt.emailTried?.slice(0, 254) ?? null,
        attempt.ip?.slice(0, 64) ?? null,
        attempt.userAgent?.slice(0, 512) ?? null,
        attempt.success,
        attempt.failureReason,
        attempt.provider ?? 'password',
        attempt.at,
      ],
    };
  }
}
