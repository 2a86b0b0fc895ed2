import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception.js';
import { principalKey } from '../auth/principal.js';

/**
 * Keys each budget by the authenticated caller when there is one (a school behind one NAT
 * address must not share a bucket), by client IP otherwise. `request.ip` honours
 * X-Forwarded-For only when TRUST_PROXY is set (Fastify's trustProxy).
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as FastifyRequest;
    return Promise.resolve(principalKey(request.principal) ?? `ip:${request.ip}`);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    throw new AppException(
      'COMMON_RATE_LIMITED',
      `Too many requests: retry after ${retryAfter} seconds`,
      {
        limit: detail.limit,
        window_seconds: Math.ceil(detail.ttl / 1000),
        retry_after: retryAfter,
      },
      { 'Retry-After': String(retryAfter) },
    );
  }
}
