import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { MAIL_QUEUE, type QueueJobs } from '../queue/queue-names.js';
import type { MailMessage } from './mail-message.js';

type MailQueue = Queue<QueueJobs[typeof MAIL_QUEUE]['send'], unknown, 'send'>;

/** Mail always leaves through the `mail` queue, so a slow or down SMTP server never fails a request. */
@Injectable()
export class MailService {
  constructor(@InjectQueue(MAIL_QUEUE) private readonly queue: MailQueue) {}

  async send(message: MailMessage, options: { dedupeId?: string } = {}): Promise<string> {
    const job = await this.queue.add(
      'send',
      message,
      options.dedupeId ? { jobId: options.dedupeId } : {},
    );
    return job.id ?? '';
  }
}
