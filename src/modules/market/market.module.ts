import { Module } from '@nestjs/common';
import { QueueModule } from '../../common/queue/queue.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { ClassesModule } from '../classes/classes.module.js';
import { LicensesModule } from '../licenses/licenses.module.js';
import { InvitationsModule } from '../invitations/invitations.module.js';
import { TenantDirectoryModule } from '../tenant-directory/tenant-directory.module.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { UserAdminModule } from '../user-admin/user-admin.module.js';
import { UsersModule } from '../users/users.module.js';
import { MarketCallbackProcessor } from './market-callback.processor.js';
import { MarketCallbacks } from './market-callbacks.service.js';
import { MarketCompatController } from './market-compat.controller.js';
import { MarketHealthController } from './market-health.controller.js';
import { MarketTenantDirectoryController } from './market-tenant-directory.controller.js';
import { MarketSettingsController } from './market-settings.controller.js';
import { MarketTenantsController } from './market-tenants.controller.js';
import { MarketTenantsService } from './market-tenants.service.js';
import { MarketUsageService } from './market-usage.service.js';
import { MarketUsersController } from './market-users.controller.js';
import { MarketResourcesController } from './market-resources.controller.js';
import { MarketResourcesService } from './market-resources.service.js';
import { MarketSettingsService } from './market-settings.service.js';
import { MarketUsersService } from './market-users.service.js';

/** The Service Market's Standard API (`/mt/...`) and its compatibility paths. */
@Module({
  imports: [
    QueueModule,
    TenantsModule,
    TenantDirectoryModule,
    UsersModule,
    AuthModule,
    InvitationsModule,
    UserAdminModule,
    ClassesModule,
    UsageModule,
    LicensesModule,
  ],
  controllers: [
    MarketHealthController,
    MarketTenantDirectoryController,
    MarketTenantsController,
    MarketSettingsController,
    MarketUsersController,
    MarketResourcesController,
    MarketCompatController,
  ],
  providers: [
    MarketTenantsService,
    MarketUsersService,
    MarketCallbacks,
    MarketCallbackProcessor,
    MarketResourcesService,
    MarketUsageService,
    MarketSettingsService,
  ],
})
export class MarketModule {}
