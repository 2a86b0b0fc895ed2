import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { AppException } from '../../common/errors/app.exception.js';
import { SecurityEvents } from '../auth/security-events.js';
import type { DeviceInfo } from '../auth/sessions.service.js';
import { UsersRepository } from '../users/users.repository.js';
import { mapIdentity, type IdentityDto } from './dto/identity.dto.js';
import { IdentitiesRepository } from './identities.repository.js';
import type { IdentityProvider } from './identity.entity.js';

/** A user's own linked sign-in accounts. */
@Injectable()
export class IdentitiesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly identities: IdentitiesRepository,
    private readonly users: UsersRepository,
    private readonly security: SecurityEvents,
  ) {}

  async list(user: UserPrincipal): Promise<IdentityDto[]> {
    return (await this.identities.listForUser(user.userId)).map(mapIdentity);
  }

  /** Refused when it would leave the account with no way to sign in. */
  async unlink(user: UserPrincipal, provider: IdentityProvider, device: DeviceInfo): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Locked, so two unlinks at once cannot each leave the other as the last method.
      const account = await this.users.lockById(manager, user.userId);
      const linked = await this.identities.listForUser(user.userId, manager);
      if (!account || !linked.some((identity) => identity.provider === provider)) {
        throw new AppException('AUTH_IDENTITY_NOT_FOUND');
      }
      const othersLeft = linked.filter((identity) => identity.provider !== provider).length;
      if (!account.passwordHash && othersLeft === 0) {
        throw new AppException('AUTH_LAST_SIGN_IN_METHOD');
      }
      await this.identities.unlink(manager, user.userId, provider);
      await this.security.record(
        'auth.identity_unlinked',
        { userId: user.userId, tenantId: user.tenantId },
        device,
        'success',
        { provider },
        manager,
      );
    });
  }
}
