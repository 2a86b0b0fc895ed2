import { Module } from '@nestjs/common';
import { QueueModule } from '../queue/queue.module.js';
import { MailProcessor } from './mail.processor.js';
import { MailService } from './mail.service.js';
import { MailTransport } from './mail.transport.js';

@Module({
  imports: [QueueModule],
  providers: [MailService, MailTransport, MailProcessor],
  exports: [MailService],
})
export class MailModule {}
