import { Injectable } from '@nestjs/common';
import { MailService } from '../../common/mail/mail.service.js';
import { AppConfigService } from '../../config/app-config.service.js';

/**
 * Mails with single-use links. The token travels in the URL fragment, which browsers never send
 * to a server, so it stays out of access logs and Referer headers; the page posts it to the API.
 */
@Injectable()
export class AccountMails {
  constructor(
    private readonly mail: MailService,
    private readonly config: AppConfigService,
  ) {}

  async sendVerification(to: string, name: string, token: string): Promise<void> {
    const link = this.link('/verify-email', token);
    await this.mail.send({
      to,
      subject: 'Confirm your DreamSeed email address',
      text: `Hello ${name},\n\nConfirm your email address within 24 hours:\n${link}\n\nIf you did not sign up, ignore this mail.\n`,
    });
  }

  async sendPasswordReset(to: string, name: string, token: string): Promise<void> {
    const link = this.link('/reset-password', token);
    await this.mail.send({
      to,
      subject: 'Reset your DreamSeed password',
      text: `Hello ${name},\n\nChoose a new password within 30 minutes:\n${link}\n\nIf you did not ask for this, ignore this mail: your password stays as it is.\n`,
    });
  }

  async sendInvitation(
    to: string,
    schoolName: string,
    role: string,
    token: string,
    expiresAt: Date,
    name?: string,
  ): Promise<void> {
    const link = this.link('/accept-invitation', token);
    await this.mail.send({
      to,
      subject: `You are invited to ${schoolName} on DreamSeed`,
      text: `Hello${name ? ` ${name}` : ''},\n\nYou are invited to join ${schoolName} on DreamSeed as a ${role}.\nAccept before ${expiresAt.toUTCString()}:\n${link}\n\nIf you did not expect this, ignore this mail.\n`,
    });
  }

  /** An account made for someone (by the Service Market): the link sets their own password. */
  async sendWelcome(to: string, name: string, schoolName: string, token: string): Promise<void> {
    const link = this.link('/reset-password', token);
    await this.mail.send({
      to,
      subject: `Welcome to ${schoolName} on DreamSeed`,
      text: `Hello ${name},\n\nAn account at ${schoolName} on DreamSeed was made for you. Choose your password within 7 days:\n${link}\n\nAfter that, use "forgot password" on the sign-in page.\n`,
    });
  }

  private link(path: string, token: string): string {
    return `${this.config.get('FRONTEND_URL').replace(/\/+$/, '')}${path}#token=${token}`;
  }
}
