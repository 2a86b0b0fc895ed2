import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { MailService } from '../../common/mail/mail.service.js';
import {
  ACCOUNT_MAILS_QUEUE,
  type JobName,
  type RequestedMail,
} from '../../common/queue/queue-names.js';
import { AppConfigService } from '../../config/app-config.service.js';

export type RequestedMailKind = JobName<typeof ACCOUNT_MAILS_QUEUE>;

/**
 * Mails with single-use links. The token travels in the URL fragment, which browsers never send
 * to a server, so it stays out of access logs and Referer headers; the page posts it to the API.
 */
@Injectable()
export class AccountMails {
  constructor(
    private readonly mail: MailService,
    private readonly config: AppConfigService,
    @InjectQueue(ACCOUNT_MAILS_QUEUE)
    private readonly requests: Queue<RequestedMail, unknown, RequestedMailKind>,
  ) {}

  /**
   * A mail asked for by address: only queued here, whether or not the address has an account,
   * so the answer takes the same time either way; the job looks the account up.
   */
  async request(kind: RequestedMailKind, email: string): Promise<void> {
    await this.requests.add(kind, { email });
  }

  /** Someone tried to register an address that already has an account: its owner hears of it. */
  async sendRegistrationAttempt(to: string): Promise<void> {
    const site = this.config.get('FRONTEND_URL').replace(/\/+$/, '');
    await this.mail.send({
      to,
      subject: 'Someone tried to register with your DreamSeed address',
      text: `Hello,\n\nSomeone tried to create a DreamSeed account with this email address, which already has one. Nothing was changed.\n\nIf it was you: sign in at ${site}, or use "Forgot password" on the sign-in page to choose a new password.\nIf it was not you, ignore this mail.\n`,
    });
  }

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
      text: `Hello${name ? ` ${name}` : ''},\n\nYou are invited to join ${schoolName} on DreamSeed as ${articled(role)}.\nAccept before ${expiresAt.toUTCString()}:\n${link}\n\nIf you did not expect this, ignore this mail.\n`,
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

  /**
   * An account made for someone with a password the Service Market gave them: nothing to set
   * by link, so the mail says where to sign in and that the password is changed there first.
   */
  async sendWelcomeWithPassword(to: string, name: string, schoolName: string): Promise<void> {
    const site = this.config.get('FRONTEND_URL').replace(/\/+$/, '');
    await this.mail.send({
      to,
      subject: `Welcome to ${schoolName} on DreamSeed`,
      text: `Hello ${name},\n\nAn account at ${schoolName} on DreamSeed was made for you. Sign in at ${site} with this email address and the password ${schoolName} gave you; you will choose your own password at the first sign-in.\n`,
    });
  }

  private link(path: string, token: string): string {
    return `${this.config.get('FRONTEND_URL').replace(/\/+$/, '')}${path}#token=${token}`;
  }
}

/** `a student`, `an admin`. */
function articled(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}
