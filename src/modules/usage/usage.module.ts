import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { UsageEvent } from './usage-event.entity.js';
import { UsageIngestionController } from './usage-ingestion.controller.js';
import { UsageIngestionRepository } from './usage-ingestion.repository.js';
import { UsageIngestionService } from './usage-ingestion.service.js';
import {
  UsageHourly,
  UsageModelDaily,
  UsageSession,
  UsageUserDay,
} from './usage-rollups.entity.js';
import { UsageStatsController } from './usage-stats.controller.js';
import { UsageStatsRepository } from './usage-stats.repository.js';
import { UsageStatsService } from './usage-stats.service.js';

/** Usage events from the AI services, their rollups, and the stats computed from them. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      UsageEvent,
      UsageModelDaily,
      UsageUserDay,
      UsageHourly,
      UsageSession,
    ]),
    TenantsModule,
    UsersModule,
  ],
  controllers: [UsageIngestionController, UsageStatsController],
  providers: [
    UsageIngestionRepository,
    UsageIngestionService,
    UsageStatsRepository,
    UsageStatsService,
  ],
  exports: [UsageStatsService],
})
export class UsageModule {}
