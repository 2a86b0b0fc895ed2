import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { normalizeEmail, UsersRepository } from '../users/users.repository.js';
import { AccountLinks } from './account-links.service.js';
import { AccountMails } from './account-mails.js';
import { AuthMetrics } from './auth.metrics.js';
import { mailSafely } from './mail-safely.js';
import { Clock } from '../../common/clock/clock.js';

export const VERIFICATION_TTL_MS = 24 * 3600 * 1000;

/** The mailed link that proves an address (`verify-email`, `resend-verification`). */
@Injectable()
export class EmailVerification {
  private readonly logger = new Logger(EmailVerification.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly links: AccountLinks,
    private readonly mails: AccountMails,
    private readonly metrics: AuthMetrics,
    private readonly invalidation: CacheInvalidation,
    private readonly clock: Clock,
  ) {}

  async verify(token: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const userId = await this.links.consume(manager, token, 'email_verification');
      if (!userId) {
        throw new AppException('AUTH_ONE_TIME_TOKEN_INVALID');
      }
      await this.users.markEmailVerified(manager, userId, this.clock.now());
      this.invalidation.changed(manager, 'user', [userId]);
    });
    this.metrics.emailVerifications.inc();
  }

  /** Always accepted (202): whether the address has an account is not revealed. */
  async resend(email: string): Promise<void> {
    await mailSafely(this.logger, () => this.mails.request('verification', normalizeEmail(email)));
  }

  /** Run by the account-mails job, after the request was answered: the lookup happens here. */
  async mailAgain(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user?.email || !user.isActive || user.emailVerifiedAt) {
      return;
    }
    const token = await this.links.issue(user.id, 'email_verification', VERIFICATION_TTL_MS);
    await mailSafely(this.logger, () =>
      this.mails.sendVerification(user.email ?? '', user.fullName, token),
    );
  }
}
