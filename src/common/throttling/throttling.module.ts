import { Module, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, type ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppConfigService } from '../../config/app-config.service.js';
import { REDIS_CLIENT } from '../redis/redis.module.js';
import { AppThrottlerGuard } from './app-throttler.guard.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import {
  ANONYMOUS_THROTTLER,
  AUTHENTICATED_THROTTLER,
  ROUTE_THROTTLER,
} from './throttler-names.js';

const isAuthenticated = (context: ExecutionContext): boolean =>
  context.switchToHttp().getRequest<FastifyRequest>().principal !== undefined;

function throttlerOptions(config: AppConfigService, redis: Redis | null): ThrottlerModuleOptions {
  return {
    storage: redis
      ? new RedisThrottlerStorage(redis, config.get('RATE_LIMIT_REDIS_PREFIX'))
      : new MemoryThrottlerStorage(),
    skipIf: () => !config.get('RATE_LIMIT_ENABLED'),
    throttlers: [
      {
        name: ANONYMOUS_THROTTLER,
        limit: config.get('RATE_LIMIT_ANONYMOUS_LIMIT'),
        ttl: config.get('RATE_LIMIT_ANONYMOUS_TTL_SECONDS') * 1000,
        skipIf: isAuthenticated,
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      },
      {
        name: AUTHENTICATED_THROTTLER,
        limit: config.get('RATE_LIMIT_AUTHENTICATED_LIMIT'),
        ttl: config.get('RATE_LIMIT_AUTHENTICATED_TTL_SECONDS') * 1000,
        skipIf: (context) => !isAuthenticated(context),
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      },
      {
        // Applies only to routes that declare `@Throttle({ route: { limit, ttl } })`.
        name: ROUTE_THROTTLER,
        limit: Number.MAX_SAFE_INTEGER,
        ttl: 60_000,
      },
    ],
  };
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfigService, REDIS_CLIENT],
      useFactory: throttlerOptions,
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: AppThrottlerGuard }],
})
export class ThrottlingModule {}
