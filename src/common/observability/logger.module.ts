import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';

/**
 * nestjs-pino as Nest's logger, on our root pino instance. No HTTP middleware: the request
 * context (so that every line of a request carries its request_id) is bound by a Fastify hook
 * (bootstrap/http-hooks.ts), which costs a fraction of Nest middleware on Fastify.
 */
@Module({})
export class AppLoggerModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: AppLoggerModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] })],
    };
  }
}
