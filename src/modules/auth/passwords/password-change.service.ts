import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { assertPasswordPolicy } from '../../users/password-policy.js';
import { UsersRepository } from '../../users/users.repository.js';
import { PasswordHasher } from '../password-hasher.js';
import type { DeviceInfo } from '../sessions.service.js';
import { PasswordChanges } from './password-changes.js';

/** `POST /users/me/password`: the current password for a new one; the other sessions end. */
@Injectable()
export class PasswordChange {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly changes: PasswordChanges,
  ) {}

  async change(
    principal: UserPrincipal,
    currentPassword: string,
    newPassword: string,
    device: DeviceInfo,
  ): Promise<void> {
    const user = await this.users.findById(principal.userId);
    if (!user) {
      throw new AppException('AUTH_SESSION_REVOKED');
    }
    const matches = user.passwordHash
      ? await this.hasher.verify(user.passwordHash, currentPassword)
      : false;
    if (!matches) {
      throw new AppException('USER_PASSWORD_INCORRECT');
    }
    assertPasswordPolicy('new_password', newPassword, user.email);
    const passwordHash = await this.hasher.hash(newPassword);
    await this.dataSource.transaction((manager) =>
      this.changes.apply(manager, {
        userId: user.id,
        tenantId: principal.tenantId,
        passwordHash,
        via: 'change',
        keepSessionId: principal.sessionId,
        device,
      }),
    );
  }
}
