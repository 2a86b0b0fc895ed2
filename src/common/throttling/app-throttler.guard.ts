import { ExecutionContext, Injectable } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerGenerateKeyFunction,
  type ThrottlerGetTrackerFunction,
  type ThrottlerLimitDetail,
  type ThrottlerOptions,
} from '@nestjs/throttler';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants.js';
import type { FastifyRequest } from 'fastify';
import { principalKey } from '../auth/principal.js';
import { RATE_LIMIT_KEY } from './rate-limit.decorator.js';
import { rateLimited } from './rate-limited.js';
import { OPT_IN_THROTTLERS, ROUTE_THROTTLER } from './throttler-names.js';

type Resolvable<T> = T | ((context: ExecutionContext) => T | Promise<T>);

/** One throttler as it applies to one route, read from the route's metadata once. */
interface RoutePlanEntry {
  throttler: ThrottlerOptions;
  limit: Resolvable<number>;
  ttl: Resolvable<number>;
  blockDuration: Resolvable<number> | undefined;
  getTracker: ThrottlerGetTrackerFunction;
  generateKey: ThrottlerGenerateKeyFunction;
}

/**
 * Keys each budget by the authenticated caller when there is one (a school behind one NAT
 * address must not share a bucket), by client IP otherwise. `request.ip` honours
 * X-Forwarded-For only when TRUST_PROXY is set (Fastify's trustProxy).
 *
 * The route's throttling metadata (`@Throttle`, `@SkipThrottle`, ...) is resolved once per
 * handler instead of fifteen reflector lookups per request; the `route` throttler only
 * applies where a route declares it. (The stock loop was a third of a cheap request.)
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  private readonly plans = new WeakMap<object, RoutePlanEntry[]>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // The module-wide skipIf (RATE_LIMIT_ENABLED) switches everything off; a throttler's own
    // skipIf only decides for that throttler (the stock guard let the latter hide the former).
    if (this.commonOptions.skipIf?.(context)) {
      return true;
    }
    for (const entry of this.planFor(context)) {
      if (entry.throttler.skipIf?.(context)) {
        continue;
      }
      const limit = await this.resolveNumber(context, entry.limit, 'limit', entry.throttler);
      const ttl = await this.resolveNumber(context, entry.ttl, 'ttl', entry.throttler);
      const blockDuration =
        entry.blockDuration === undefined
          ? ttl
          : await this.resolveNumber(
              context,
              entry.blockDuration,
              'blockDuration',
              entry.throttler,
            );
      await this.handleRequest({
        context,
        limit,
        ttl,
        blockDuration,
        throttler: entry.throttler,
        getTracker: entry.getTracker,
        generateKey: entry.generateKey,
      });
    }
    return true;
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as FastifyRequest;
    return Promise.resolve(principalKey(request.principal) ?? `ip:${request.ip}`);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw rateLimited(detail.timeToBlockExpire, 'Too many requests', {
      limit: detail.limit,
      window_seconds: Math.ceil(detail.ttl / 1000),
    });
  }

  private planFor(context: ExecutionContext): RoutePlanEntry[] {
    const handler = context.getHandler();
    let plan = this.plans.get(handler);
    if (!plan) {
      plan = this.buildPlan(context);
      this.plans.set(handler, plan);
    }
    return plan;
  }

  private buildPlan(context: ExecutionContext): RoutePlanEntry[] {
    const targets = [context.getHandler(), context.getClass()];
    const read = <T>(key: string, throttler: ThrottlerOptions): T | undefined =>
      this.reflector.getAllAndOverride<T | undefined>(
        `${key}${throttler.name ?? 'default'}`,
        targets,
      );
    const optedIn = new Set(
      this.reflector.getAllAndOverride<string[] | undefined>(RATE_LIMIT_KEY, targets) ?? [],
    );
    const plan: RoutePlanEntry[] = [];
    for (const throttler of this.throttlers) {
      const name = throttler.name ?? 'default';
      if (read<boolean>(THROTTLER_SKIP, throttler)) {
        continue;
      }
      const routeLimit = read<Resolvable<number>>(THROTTLER_LIMIT, throttler);
      const declared = optedIn.has(name) || (name === ROUTE_THROTTLER && routeLimit !== undefined);
      if (OPT_IN_THROTTLERS.has(name) && !declared) {
        continue;
      }
      plan.push({
        throttler,
        limit: routeLimit ?? throttler.limit,
        ttl: read<Resolvable<number>>(THROTTLER_TTL, throttler) ?? throttler.ttl,
        blockDuration:
          read<Resolvable<number>>(THROTTLER_BLOCK_DURATION, throttler) ?? throttler.blockDuration,
        getTracker:
          read<ThrottlerGetTrackerFunction>(THROTTLER_TRACKER, throttler) ??
          throttler.getTracker ??
          this.commonOptions.getTracker ??
          ((req) => this.getTracker(req)),
        generateKey:
          read<ThrottlerGenerateKeyFunction>(THROTTLER_KEY_GENERATOR, throttler) ??
          throttler.generateKey ??
          this.commonOptions.generateKey ??
          ((ctx, suffix, name) => this.generateKey(ctx, suffix, name)),
      });
    }
    return plan;
  }

  private async resolveNumber(
    context: ExecutionContext,
    value: Resolvable<number>,
    option: string,
    throttler: ThrottlerOptions,
  ): Promise<number> {
    const resolved = typeof value === 'function' ? await value(context) : value;
    if (typeof resolved !== 'number' || Number.isNaN(resolved)) {
      throw new Error(`Invalid "${option}" for the "${throttler.name ?? 'default'}" throttler`);
    }
    return resolved;
  }
}
