import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { AppConfigService } from '../../config/app-config.service.js';
import { queueConnection } from './queue-connection.js';
import { QueueHealth } from './queue-health.service.js';
import { DEFAULT_JOB_OPTIONS, QUEUE_NAMES } from './queue-names.js';

const queues = BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name })));

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
