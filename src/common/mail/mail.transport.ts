import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { AppConfigService } from '../../config/app-config.service.js';
import type { MailMessage } from './mail-message.js';

export interface DeliveryResult {
  via: 'smtp' | 'file';
  messageId: string;
  file?: string;
}

/**
 * Delivers over SMTP when SMTP_HOST is set. Without SMTP, renders the same RFC 822 message and
 * writes it as an .eml file under MAIL_OUTBOX_DIR, so someone trying the app can open it.
 */
@Injectable()
export class MailTransport implements OnApplicationShutdown {
  private readonly logger = new Logger(MailTransport.name);
  private readonly transporter: Transporter;
  private readonly toFile: boolean;

  constructor(private readonly config: AppConfigService) {
    const smtp = config.smtp;
    this.toFile = smtp === undefined;
    this.transporter = smtp
      ? nodemailer.createTransport({ ...smtp, pool: true, maxConnections: 3 })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async deliver(message: MailMessage, reference: string): Promise<DeliveryResult> {
    const info = (await this.transporter.sendMail({
      from: this.config.get('MAIL_FROM'),
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
    })) as { messageId: string; message?: Buffer };
    if (!this.toFile) {
      return { via: 'smtp', messageId: info.messageId };
    }
    const outbox = path.resolve(this.config.get('MAIL_OUTBOX_DIR'));
    await mkdir(outbox, { recursive: true });
    const safeReference = reference.replace(/[^A-Za-z0-9_-]/g, '_');
    const file = path.join(
      outbox,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeReference}.eml`,
    );
    await writeFile(file, info.message ?? Buffer.alloc(0));
    this.logger.log(
      { file, subject: message.subject },
      'mail written to the outbox (no SMTP configured)',
    );
    return { via: 'file', messageId: info.messageId, file };
  }

  onApplicationShutdown(): void {
    this.transporter.close();
  }
}
