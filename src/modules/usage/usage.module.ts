import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsageEvent } from './usage-event.entity.js';
import { UsageDaily, UsageHourly, UsageSession } from './usage-rollups.entity.js';

/** Usage events from the AI services, their rollups, and the stats computed from them. */
@Module({
  imports: [TypeOrmModule.forFeature([UsageEvent, UsageDaily, UsageHourly, UsageSession])],
})
export class UsageModule {}
