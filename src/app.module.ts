import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from './common/audit/audit.module.js';
import { CacheModule } from './common/cache/cache.module.js';
import type { Clock } from './common/clock/clock.js';
import { ClockModule } from './common/clock/clock.module.js';
import { DatabaseModule } from './common/database/database.module.js';
import { EventsModule } from './common/events/events.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { HealthModule } from './common/health/health.module.js';
import { MailModule } from './common/mail/mail.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { AppLoggerModule } from './common/observability/logger.module.js';
import { QueueModule } from './common/queue/queue.module.js';
import { RedisModule } from './common/redis/redis.module.js';
import { SwitchesModule } from './common/switches/switches.module.js';
import { ThrottlingModule } from './common/throttling/throttling.module.js';
import { AppConfigModule } from './config/app-config.module.js';
import type { EnvVars } from './config/env.schema.js';
import { AuditLogsModule } from './modules/audit-logs/audit-logs.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { StatusModule } from './modules/status/status.module.js';
import { TenantDirectoryModule } from './modules/tenant-directory/tenant-directory.module.js';
import { TenantsModule } from './modules/tenants/tenants.module.js';
import { ClassesModule } from './modules/classes/classes.module.js';
import { InvitationsModule } from './modules/invitations/invitations.module.js';
import { UserAdminModule } from './modules/user-admin/user-admin.module.js';
import { IdentitiesModule } from './modules/identities/identities.module.js';
import { MarketKeysModule } from './modules/market-keys/market-keys.module.js';
import { UsageModule } from './modules/usage/usage.module.js';
import { MarketModule } from './modules/market/market.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { EntitlementsModule } from './modules/payments/entitlements/entitlements.module.js';
import { PaymentsModule } from './modules/payments/payments.module.js';
import { LicenseSignInModule } from './modules/licenses/license-sign-in.module.js';
import { LicensesModule } from './modules/licenses/licenses.module.js';
import { LtiModule } from './modules/lti/lti.module.js';

export interface AppModuleOptions {
  env: EnvVars;
  logger: Logger;
  /** Extra modules, e.g. test-only controllers that exercise the pipeline. */
  modules?: Array<Type | DynamicModule>;
  /** The time source; tests pass one they can move. */
  clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options.env),
        AppLoggerModule.forRoot(options.logger),
        ClockModule.forRoot(options.clock),
        DatabaseModule,
        RedisModule,
        CacheModule,
        MetricsModule,
        // Global guards run in this order: the audit context first, so refusals are named;
        // then authentication, so the rate limiter knows who is calling.
        AuditModule,
        // A switched-off feature answers its 404 before anyone is asked who they are.
        SwitchesModule,
        QueueModule,
        EventsModule,
        EntitlementsModule,
        AuthModule,
        ThrottlingModule,
        MailModule,
        HealthModule,
        StatusModule,
        TenantsModule,
        TenantDirectoryModule,
        UsersModule,
        UserAdminModule,
        IdentitiesModule,
        MarketKeysModule,
        UsageModule,
        MarketModule,
        InvitationsModule,
        ClassesModule,
        AuditLogsModule,
        PaymentsModule,
        LicensesModule,
        LtiModule,
        LicenseSignInModule,
        ...(options.modules ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
