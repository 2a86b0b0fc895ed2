import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OutboxService } from '../../common/events/outbox.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { userCreatedEvent } from '../users/user-events.js';
import type { User } from '../users/user.entity.js';
import { normalizeEmail, UsersRepository } from '../users/users.repository.js';
import { AccountLinks } from './account-links.service.js';
import { AccountMails } from './account-mails.js';
import { AuthMetrics } from './auth.metrics.js';
import type { RegisterDto } from './dto/auth-requests.dto.js';
import { VERIFICATION_TTL_MS } from './email-verification.service.js';
import { mailSafely } from './mail-safely.js';
import { PasswordHasher } from './password-hasher.js';

/** `POST /auth/register`: self-registration. */
@Injectable()
export class Registration {
  private readonly logger = new Logger(Registration.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly links: AccountLinks,
    private readonly outbox: OutboxService,
    private readonly mails: AccountMails,
    private readonly metrics: AuthMetrics,
  ) {}

  /**
   * Always a plain account (no tenant role, no platform role). The answer is the same for a
   * taken address, whose owner gets a notice instead (the same work: one hash, one insert
   * attempt, one queued mail).
   */
  async register(dto: RegisterDto): Promise<void> {
    const passwordHash = await this.hasher.hash(dto.password);
    let registered: { user: User; token: string };
    try {
      registered = await this.dataSource.transaction(async (manager) => {
        const created = await this.users.insert(manager, {
          email: dto.email,
          passwordHash,
          fullName: dto.full_name,
          username: dto.username ?? null,
        });
        const verification = await this.links.issue(
          created.id,
          'email_verification',
          VERIFICATION_TTL_MS,
          { manager },
        );
        await this.outbox.add(manager, userCreatedEvent(created, { role: 'student' }));
        return { user: created, token: verification };
      });
    } catch (error) {
      if (!(error instanceof AppException && error.code === 'USER_EMAIL_ALREADY_EXISTS')) {
        throw error;
      }
      await mailSafely(this.logger, () =>
        this.mails.sendRegistrationAttempt(normalizeEmail(dto.email)),
      );
      return;
    }
    const { user, token } = registered;
    this.metrics.signups.inc();
    await mailSafely(this.logger, () =>
      this.mails.sendVerification(user.email ?? dto.email, user.fullName, token),
    );
  }
}
