import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AppConfigService } from '../../config/app-config.service.js';
import { queueConnection } from './queue-connection.js';
import { QueueHealth } from './queue-health.service.js';
import {
  ACCOUNT_MAILS_QUEUE,
  DEFAULT_JOB_OPTIONS,
  EVENTS_QUEUE,
  MAIL_QUEUE,
  MARKET_CALLBACKS_QUEUE,
  PAYMENTS_MAINTENANCE_QUEUE,
  STRIPE_EVENTS_QUEUE,
} from './queue-names.js';

const queues = BullModule.registerQueue(
  { name: MAIL_QUEUE },
  { name: EVENTS_QUEUE },
  { name: MARKET_CALLBACKS_QUEUE },
  { name: ACCOUNT_MAILS_QUEUE },
  { name: STRIPE_EVENTS_QUEUE },
  { name: PAYMENTS_MAINTENANCE_QUEUE },
);

@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        connection: queueConnection({
          backend: config.queueBackend,
          databaseUrl: config.get('DATABASE_URL') ?? '',
          redisUrl: config.get('REDIS_URL'),
        }) as never,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    queues,
  ],
  providers: [QueueHealth],
  exports: [queues, QueueHealth],
})
export class QueueModule {}
