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
import { accountTracker } from './account-tracker.js';
import { RequestBudgets } from './request-budgets.js';
import {
  ACCOUNT_EMAIL_THROTTLER,
  ANONYMOUS_THROTTLER,
  AUTHENTICATED_THROTTLER,
  MARKET_THROTTLER,
  REGISTER_THROTTLER,
  ROUTE_THROTTLER,
  SIGN_IN_FLOOD_THROTTLER,
} from './throttler-names.js';

const principalKind = (context: ExecutionContext): string | undefined =>
  context.switchToHttp().getRequest<FastifyRequest>().principal?.kind;
const isAuthenticated = (context: ExecutionContext): boolean =>
  principalKind(context) !== undefined;
const isMarket = (context: ExecutionContext): boolean => principalKind(context) === 'market';

/**
 * The signed-in caller's budget for one window: their plan's `api_requests_per_hour` (theirs
 * or their school's, scaled to the window) when a live subscription sets one, else the default.
 */
async function authenticatedLimit(
  context: ExecutionContext,
  config: AppConfigService,
  budgets: RequestBudgets,
): Promise<number> {
  const fallback = config.get('RATE_LIMIT_AUTHENTICATED_LIMIT');
  const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
  if (principal?.kind !== 'user') {
    return fallback;
  }
  const perHour = await budgets.perHour(principal.userId, principal.tenantId);
  if (perHour === undefined) {
    return fallback;
  }
  return Math.max(
    1,
    Math.round((perHour * config.get('RATE_LIMIT_AUTHENTICATED_TTL_SECONDS')) / 3600),
  );
}

function throttlerOptions(
  config: AppConfigService,
  redis: Redis | null,
  budgets: RequestBudgets,
): ThrottlerModuleOptions {
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
        // A subscriber's plan may set its own budget (api_requests_per_hour).
        limit: (context) => authenticatedLimit(context, config, budgets),
        ttl: config.get('RATE_LIMIT_AUTHENTICATED_TTL_SECONDS') * 1000,
        skipIf: (context) => !isAuthenticated(context) || isMarket(context),
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      },
      {
        name: MARKET_THROTTLER,
        limit: config.get('RATE_LIMIT_MARKET_LIMIT'),
        ttl: config.get('RATE_LIMIT_MARKET_TTL_SECONDS') * 1000,
        skipIf: (context) => !isMarket(context),
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      },
      {
        // Applies only to routes that declare `@Throttle({ route: { limit, ttl } })`.
        name: ROUTE_THROTTLER,
        limit: Number.MAX_SAFE_INTEGER,
        ttl: 60_000,
      },
      {
        // Per client IP on sign-in routes, signed in or not (the login budget per account
        // counts failures only, in SignInFailures).
        name: SIGN_IN_FLOOD_THROTTLER,
        limit: config.get('RATE_LIMIT_SIGN_IN_FLOOD_LIMIT'),
        ttl: config.get('RATE_LIMIT_SIGN_IN_FLOOD_TTL_SECONDS') * 1000,
        getTracker: (req) => Promise.resolve(`ip:${(req as unknown as FastifyRequest).ip}`),
        // One ceiling for all sign-in routes together, not one per route.
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      },
      {
        name: REGISTER_THROTTLER,
        limit: config.get('RATE_LIMIT_REGISTER_LIMIT'),
        ttl: config.get('RATE_LIMIT_REGISTER_TTL_SECONDS') * 1000,
        getTracker: accountTracker,
      },
      {
        // Mails sent on request (verification resend, password reset).
        name: ACCOUNT_EMAIL_THROTTLER,
        limit: config.get('RATE_LIMIT_ACCOUNT_EMAIL_LIMIT'),
        ttl: config.get('RATE_LIMIT_ACCOUNT_EMAIL_TTL_SECONDS') * 1000,
        getTracker: accountTracker,
      },
    ],
  };
}

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfigService, REDIS_CLIENT, RequestBudgets],
      useFactory: throttlerOptions,
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: AppThrottlerGuard }],
})
export class ThrottlingModule {}
