import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { SignInSeats } from '../../common/auth/sign-in-seats.js';
import { AppException } from '../../common/errors/app.exception.js';
import { MembershipsRepository } from '../users/memberships.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import { SessionsService } from './sessions.service.js';
import { SessionTokens } from './sign-in/session-tokens.service.js';
import { isUsable } from './sign-in/sign-in-rules.js';

/** `POST /auth/switch-tenant`: the session moves to another school of the user's. */
@Injectable()
export class TenantSwitch {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly memberships: MembershipsRepository,
    private readonly sessions: SessionsService,
    private readonly tokens: SessionTokens,
    private readonly seats: SignInSeats,
  ) {}

  async switchTenant(principal: UserPrincipal, tenantId: string): Promise<TokenResponseDto> {
    const user = await this.users.findById(principal.userId);
    if (!user) {
      throw new AppException('AUTH_SESSION_REVOKED');
    }
    const memberships = await this.memberships.listForUser(user.id);
    const target = memberships.find((m) => m.tenantId === tenantId);
    if (!target) {
      throw new AppException('AUTH_NOT_A_MEMBER');
    }
    if (!isUsable(target)) {
      throw new AppException('AUTH_TENANT_INACTIVE');
    }
    const { session, refreshToken } = await this.dataSource.transaction((manager) =>
      this.sessions.switchTenant(manager, principal.sessionId ?? '', tenantId),
    );
    // Entering a school is signing in to it: a student takes a seat as at sign-in.
    if (target.role === 'student') {
      await this.seats.claim(user.id, tenantId);
    }
    return this.tokens.issue(user, memberships, session, refreshToken).tokens;
  }
}
