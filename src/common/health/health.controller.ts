import {
  Controller,
  Get,
  Inject,
  ServiceUnavailableException,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { SkipAllThrottles } from '../throttling/skip-all-throttles.decorator.js';
import type { Redis } from 'ioredis';
import { AppException } from '../errors/app.exception.js';
import { Access } from '../auth/access.decorator.js';
import { QueueHealth } from '../queue/queue-health.service.js';
import { REDIS_CLIENT } from '../redis/redis.module.js';
import { ApiErrors } from '../errors/api-errors.decorator.js';

const CHECK_TIMEOUT_MS = 1500;

@ApiTags('health')
@SkipAllThrottles()
@Access.public()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly queues: QueueHealth,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
  ) {}

  @Get('liveness')
  @ApiOperation({ summary: 'The process is running' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readiness')
  @ApiOperation({ summary: 'The database, Redis (when configured) and the queue backend answer' })
  @ApiOkResponse({ description: 'Every dependency is up' })
  @ApiErrors('COMMON_SERVICE_UNAVAILABLE')
  async readiness(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [
      () => this.database.pingCheck('database').withTimeout(CHECK_TIMEOUT_MS),
      () =>
        this.indicators
          .check('queue')
          .attempt(() => this.queues.ping())
          .withTimeout(CHECK_TIMEOUT_MS),
    ];
    const redis = this.redis;
    if (redis) {
      checks.push(() =>
        this.indicators
          .check('redis')
          .attempt(async () => {
            await redis.ping();
          })
          .withTimeout(CHECK_TIMEOUT_MS),
      );
    }
    try {
      return await this.health.check(checks);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        throw new AppException(
          'COMMON_SERVICE_UNAVAILABLE',
          'A dependency is not ready',
          error.getResponse() as Record<string, unknown>,
        );
      }
      throw error;
    }
  }
}
