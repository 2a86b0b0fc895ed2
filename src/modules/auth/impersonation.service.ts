import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Clock } from '../../common/clock/clock.js';
import { AppException } from '../../common/errors/app.exception.js';
import { mapUserProfile } from '../users/dto/user.dto.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import type { ImpersonateDto, ImpersonationTokenDto } from './dto/impersonate.dto.js';
import { SecurityEvents } from './security-events.js';
import { SessionsRepository } from './sessions.repository.js';
import type { DeviceInfo } from './sessions.service.js';
import { AccessTokens } from './tokens/access-tokens.service.js';
import { issueRefreshToken } from './tokens/refresh-tokens.js';

export const IMPERSONATION_TTL_SECONDS = 30 * 60;

/**
 * Support staff acting as a user: a super admin as anyone but another super admin, a tenant
 * admin as a student or teacher whose account their own tenant manages (made by it, in no
 * other school). The token lives 30 minutes at most,
 * carries the real actor (`act`), cannot renew itself, and every call it makes is audited
 * with the real actor beside the user.
 */
@Injectable()
export class ImpersonationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly sessions: SessionsRepository,
    private readonly accessTokens: AccessTokens,
    private readonly security: SecurityEvents,
    private readonly clock: Clock,
  ) {}

  async start(
    actor: UserPrincipal,
    dto: ImpersonateDto,
    device: DeviceInfo,
  ): Promise<ImpersonationTokenDto> {
    const target = await this.users.findById(dto.user_id);
    if (!target?.isActive) {
      throw new AppException('USER_NOT_FOUND');
    }
    const memberships = await this.memberships.listForUser(target.id);
    const superAdmin = actor.platformRole === 'super_admin';
    const tenantId = superAdmin ? (dto.tenant_id ?? null) : actor.tenantId;
    const membership = tenantId
      ? memberships.find((m) => m.tenantId === tenantId)
      : memberships.find((m) => m.status === 'active' && m.tenantStatus === 'active');
    if (!superAdmin && !membership) {
      // Someone outside the admin's tenant is, to them, no one.
      throw new AppException('USER_NOT_FOUND');
    }
    if (tenantId && !membership) {
      throw new AppException('AUTH_NOT_A_MEMBER');
    }
    if (
      target.id === actor.userId ||
      target.platformRole === 'super_admin' ||
      (!superAdmin && membership?.role === 'admin')
    ) {
      throw new AppException('AUTH_CANNOT_IMPERSONATE');
    }
    // A school acts only as an account it made and that belongs to no other school.
    if (!superAdmin && target.managedByTenantId === null) {
      throw new AppException('USER_ACCOUNT_SELF_MANAGED');
    }
    if (!superAdmin && (target.managedByTenantId !== tenantId || memberships.length !== 1)) {
      throw new AppException('USER_ACCOUNT_MANAGED_ELSEWHERE');
    }
    const now = this.clock.now();
    const unusable = issueRefreshToken();
    const sessionId = await this.dataSource.transaction(async (manager) => {
      const id = await this.sessions.insertImpersonation(manager, {
        userId: target.id,
        tenantId: membership?.tenantId ?? null,
        refreshFamily: unusable.family,
        // Never handed out: this session cannot be refreshed.
        refreshTokenHash: unusable.hash,
        userAgent: device.userAgent?.slice(0, 512) ?? null,
        ip: device.ip?.slice(0, 64) ?? null,
        now,
        expiresAt: new Date(now.getTime() + IMPERSONATION_TTL_SECONDS * 1000),
        impersonatorId: actor.userId,
      });
      await this.security.record(
        'auth.impersonation_started',
        { userId: actor.userId, tenantId: membership?.tenantId ?? actor.tenantId },
        device,
        'success',
        { impersonated_user_id: target.id, session_id: id, reason: dto.reason },
        manager,
      );
      return id;
    });
    return {
      access_token: this.accessTokens.sign({
        userId: target.id,
        sessionId,
        tenantId: membership?.tenantId ?? null,
        role: membership?.role ?? null,
        platformRole: target.platformRole,
        actorId: actor.userId,
        ttlSeconds: IMPERSONATION_TTL_SECONDS,
      }),
      token_type: 'bearer',
      expires_in: IMPERSONATION_TTL_SECONDS,
      actor_id: actor.userId,
      user: mapUserProfile(target, memberships),
    };
  }
}
