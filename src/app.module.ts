import { Module, type DynamicModule, type Type } from '@nestjs/common';
import type { Logger } from 'pino';
import { APP_FILTER } from '@nestjs/core';
import { AuditModule } from './common/audit/audit.module.js';
import { DatabaseModule } from './common/database/database.module.js';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter.js';
import { HealthModule } from './common/health/health.module.js';
import { MailModule } from './common/mail/mail.module.js';
import { MetricsModule } from './common/metrics/metrics.module.js';
import { AppLoggerModule } from './common/observability/logger.module.js';
import { QueueModule } from './common/queue/queue.module.js';
import { RedisModule } from './common/redis/redis.module.js';
import { ThrottlingModule } from './common/throttling/throttling.module.js';
import { AppConfigModule } from './config/app-config.module.js';
import type { EnvVars } from './config/env.schema.js';
import { StatusModule } from './modules/status/status.module.js';

export interface AppModuleOptions {
  env: EnvVars;
  logger: Logger;
  /** Extra modules, e.g. test-only controllers that exercise the pipeline. */
  modules?: Array<Type | DynamicModule>;
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(options.env),
        AppLoggerModule.forRoot(options.logger),
        DatabaseModule,
        RedisModule,
        MetricsModule,
        // Global guards run in this order: the audit context first, so refusals are named.
        AuditModule,
        ThrottlingModule,
        QueueModule,
        MailModule,
        HealthModule,
        StatusModule,
        ...(options.modules ?? []),
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
