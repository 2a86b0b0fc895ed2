import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../app.module.js';
import { AuditService } from '../common/audit/audit.service.js';
import type { Clock } from '../common/clock/clock.js';
import { MetricsService } from '../common/metrics/metrics.service.js';
import { requestIdFor } from '../common/observability/request-id.js';
import { createRootLogger } from '../common/observability/root-logger.js';
import { clientErrorHandler, frameworkErrorHandler } from '../common/http/framework-errors.js';
import { fastifyTrustProxy } from '../common/http/client-ip.js';
import { staticSecurityHeaders } from '../common/http/security-headers.js';
import { setupSwagger } from '../common/swagger/setup-swagger.js';
import { createValidationPipe } from '../common/validation/app-validation.pipe.js';
import { InvalidCharactersPipe } from '../common/validation/invalid-characters.pipe.js';
import { AppConfigService } from '../config/app-config.service.js';
import type { EnvVars } from '../config/env.schema.js';
import { registerHttpHooks } from './http-hooks.js';
import { configureRouting } from './routing.js';

export interface CreateAppOptions {
  /** The validated environment (main.ts validates once before anything starts). */
  env: EnvVars;
  modules?: Array<Type | DynamicModule>;
  /** The time source for lockouts and expiries; tests pass one they can move. */
  clock?: Clock;
}

/**
 * Builds the whole app with its global pipeline; main.ts and every e2e test use this, so
 * tests exercise exactly what production runs.
 */
export async function createApp(options: CreateAppOptions): Promise<NestFastifyApplication> {
  const securityHeaders = staticSecurityHeaders();
  const adapter = new FastifyAdapter({
    bodyLimit: options.env.BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(options.env.TRUST_PROXY),
    genReqId: requestIdFor,
    requestIdHeader: false,
    logger: false,
    return503OnClosing: true,
    // Refusals raised before the app's error filter runs still leave in the envelope.
    frameworkErrors: frameworkErrorHandler(securityHeaders),
    clientErrorHandler: clientErrorHandler(securityHeaders),
  });
  const logger = createRootLogger(options.env);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ env: options.env, modules: options.modules, logger, clock: options.clock }),
    adapter,
    // JSON only: http-hooks.ts installs the one body parser (Nest would add url-encoded forms).
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const config = app.get(AppConfigService);
  const corsOrigins = config.corsOrigins;
  app.enableCors({
    origin: corsOrigins.length > 0 ? corsOrigins : false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'X-API-Key'],
    // The Google link call sets its state cookie on a credentialed fetch.
    credentials: true,
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  registerHttpHooks(app.getHttpAdapter().getInstance(), {
    metrics: app.get(MetricsService),
    audit: app.get(AuditService),
    logger,
    securityHeaders,
    trustProxy: options.env.TRUST_PROXY !== false,
  });

  configureRouting(app);
  // Invalid characters first: the validation pipe's checks are not all safe on them.
  app.useGlobalPipes(new InvalidCharactersPipe(), createValidationPipe());
  if (config.get('SWAGGER_ENABLED')) {
    setupSwagger(app);
  }
  await app.init();
  return app;
}
