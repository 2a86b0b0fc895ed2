import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { SecurityEvents } from './security-events.js';
import { SessionsService, type DeviceInfo } from './sessions.service.js';

/** `POST /auth/logout` (this session) and `logout-all` (every session of the account). */
@Injectable()
export class Logout {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly security: SecurityEvents,
  ) {}

  async logout(principal: UserPrincipal): Promise<void> {
    const sessionId = principal.sessionId;
    if (!sessionId) {
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      await this.sessions.revoke({ ids: [sessionId] }, 'logout', manager);
      await this.outbox.add(manager, {
        type: 'user.logged_out',
        aggregateId: principal.userId,
        payload: { user_id: principal.userId, session_id: sessionId, scope: 'session' },
      });
    });
  }

  async logoutAll(principal: UserPrincipal, device: DeviceInfo): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const ended = await this.sessions.revoke({ userId: principal.userId }, 'logout_all', manager);
      await this.outbox.add(manager, {
        type: 'user.logged_out',
        aggregateId: principal.userId,
        payload: { user_id: principal.userId, session_ids: ended, scope: 'all' },
      });
      await this.security.record(
        'auth.logout_all',
        { userId: principal.userId, tenantId: principal.tenantId },
        device,
        'success',
        {},
        manager,
      );
    });
  }
}
