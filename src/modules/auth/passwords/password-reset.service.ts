import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { assertPasswordPolicy } from '../../users/password-policy.js';
import { normalizeEmail, UsersRepository } from '../../users/users.repository.js';
import { AccountLinks } from '../account-links.service.js';
import { AccountMails } from '../account-mails.js';
import { AuthMetrics } from '../auth.metrics.js';
import { mailSafely } from '../mail-safely.js';
import { PasswordHasher } from '../password-hasher.js';
import type { DeviceInfo } from '../sessions.service.js';
import { PasswordChanges } from './password-changes.js';

const RESET_TTL_MS = 30 * 60 * 1000;

/** `forgot-password` (a mailed link, 30 min) and `reset-password` (the link's new password). */
@Injectable()
export class PasswordReset {
  private readonly logger = new Logger(PasswordReset.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly links: AccountLinks,
    private readonly mails: AccountMails,
    private readonly hasher: PasswordHasher,
    private readonly changes: PasswordChanges,
    private readonly metrics: AuthMetrics,
    private readonly clock: Clock,
  ) {}

  /** Always accepted (202); a mail goes out only for an active account (looked up in the job). */
  async request(email: string): Promise<void> {
    await mailSafely(this.logger, () =>
      this.mails.request('password-reset', normalizeEmail(email)),
    );
  }

  /** Run by the account-mails job, after the request was answered: the lookup happens here. */
  async mailLink(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user?.email || !user.isActive) {
      return;
    }
    const token = await this.links.issue(user.id, 'password_reset', RESET_TTL_MS);
    await mailSafely(this.logger, () =>
      this.mails.sendPasswordReset(user.email ?? '', user.fullName, token),
    );
  }

  async reset(token: string, newPassword: string, device: DeviceInfo): Promise<void> {
    const passwordHash = await this.hasher.hash(newPassword);
    await this.dataSource.transaction(async (manager) => {
      const owner = await this.links.consume(manager, token, 'password_reset');
      const user = owner ? await this.users.lockById(manager, owner) : null;
      if (!user || user.deletedAt) {
        throw new AppException('AUTH_ONE_TIME_TOKEN_INVALID');
      }
      // Checked before anything is written: a refused password leaves the link usable.
      assertPasswordPolicy('new_password', newPassword, user.email);
      await this.changes.apply(manager, { userId: user.id, passwordHash, via: 'reset', device });
      // Following the link proves the address is theirs.
      await this.users.markEmailVerified(manager, user.id, this.clock.now());
    });
    this.metrics.passwordResets.inc();
  }
}
