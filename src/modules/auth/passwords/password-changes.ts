import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { OutboxService } from '../../../common/events/outbox.service.js';
import { UsersRepository } from '../../users/users.repository.js';
import { SecurityEvents, type SecurityAction } from '../security-events.js';
import type { SessionRevokeReason } from '../session.entity.js';
import { SessionsService, type DeviceInfo } from '../sessions.service.js';

export interface PasswordChange {
  userId: string;
  tenantId?: string | null;
  passwordHash: string;
  via: 'reset' | 'change';
  /** The session the change was made from, which stays signed in (a change, not a reset). */
  keepSessionId?: string;
  device: DeviceInfo;
}

const RECORDED_AS: Record<
  PasswordChange['via'],
  { action: SecurityAction; reason: SessionRevokeReason }
> = {
  reset: { action: 'auth.password_reset', reason: 'password_reset' },
  change: { action: 'auth.password_changed', reason: 'password_changed' },
};

/**
 * A user's own new password, inside the caller's transaction: stored, the other sessions
 * ended, the event and the security record written (the event also drops cached views).
 */
@Injectable()
export class PasswordChanges {
  constructor(
    private readonly users: UsersRepository,
    private readonly sessions: SessionsService,
    private readonly outbox: OutboxService,
    private readonly security: SecurityEvents,
  ) {}

  async apply(manager: EntityManager, change: PasswordChange): Promise<void> {
    const { action, reason } = RECORDED_AS[change.via];
    await this.users.setPassword(manager, change.userId, change.passwordHash);
    await this.sessions.revoke(
      { userId: change.userId, exceptId: change.keepSessionId },
      reason,
      manager,
    );
    await this.outbox.add(manager, {
      type: 'user.password_changed',
      aggregateId: change.userId,
      payload: { user_id: change.userId, via: change.via },
    });
    await this.security.record(
      action,
      { userId: change.userId, tenantId: change.tenantId },
      change.device,
      'success',
      {},
      manager,
    );
  }
}
