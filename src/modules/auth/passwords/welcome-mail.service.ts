import { Injectable, Logger } from '@nestjs/common';
import { UsersRepository } from '../../users/users.repository.js';
import { AccountLinks } from '../account-links.service.js';
import { AccountMails } from '../account-mails.js';
import { mailSafely } from '../mail-safely.js';

const WELCOME_TTL_MS = 7 * 24 * 3600 * 1000;

/** A welcome mail for an account made for someone: its link sets their own password (7 days). */
@Injectable()
export class WelcomeMail {
  private readonly logger = new Logger(WelcomeMail.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly links: AccountLinks,
    private readonly mails: AccountMails,
  ) {}

  async send(userId: string, schoolName: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user?.email) {
      return;
    }
    const token = await this.links.issue(user.id, 'password_reset', WELCOME_TTL_MS);
    await mailSafely(this.logger, () =>
      this.mails.sendWelcome(user.email ?? '', user.fullName, schoolName, token),
    );
  }
}
