import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsersModule } from '../users/users.module.js';
import { MarketHealthController } from './market-health.controller.js';
import { MarketTenantsController } from './market-tenants.controller.js';
import { MarketTenantsService } from './market-tenants.service.js';

/** The Service Market's Standard API (`/mt/...`) and its compatibility paths. */
@Module({
  imports: [TenantsModule, UsersModule],
  controllers: [MarketHealthController, MarketTenantsController],
  providers: [MarketTenantsService],
})
export class MarketModule {}
