import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import type { Principal } from '../../common/auth/principal.js';
import { Clock } from '../../common/clock/clock.js';
import { AppException } from '../../common/errors/app.exception.js';
import { rateLimited } from '../../common/throttling/rate-limited.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { MarketKeysRepository } from './market-keys.repository.js';
import { hashMarketKey } from './market-keys.service.js';

const TOUCH_INTERVAL_MS = 60_000;
const MAX_KEY_LENGTH = 256;

/**
 * Turns an `X-Market-API-Key` into the market principal. The row is read on every request, so
 * a revoked key stops at once; wrong keys spend the client address's failure budget.
 */
@Injectable()
export class MarketKeyAuthenticator {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly keys: MarketKeysRepository,
    private readonly clock: Clock,
    private readonly config: AppConfigService,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {}

  async authenticate(key: string, ip: string): Promise<Principal> {
    const presented = key.length <= MAX_KEY_LENGTH ? hashMarketKey(key) : undefined;
    const row = presented ? await this.keys.findLiveByHash(presented) : undefined;
    if (!row || !presented || !timingSafeEqual(Buffer.from(presented), Buffer.from(row.key_hash))) {
      await this.countFailure(ip);
      throw new AppException('MARKET_API_KEY_INVALID');
    }
    this.touch(row.id);
    return { kind: 'market', marketKeyId: row.id };
  }

  private async countFailure(ip: string): Promise<void> {
    const ttl = this.config.get('RATE_LIMIT_API_KEY_FAILURE_TTL_SECONDS') * 1000;
    const record = await this.storage.increment(
      `market-key-failures:${ip}`,
      ttl,
      this.config.get('RATE_LIMIT_API_KEY_FAILURE_LIMIT'),
      ttl,
      'market_key_failures',
    );
    if (record.isBlocked) {
      throw rateLimited(record.timeToBlockExpire, 'Too many invalid market keys');
    }
  }

  private touch(id: string): void {
    const now = this.clock.now();
    if (now.getTime() - (this.touched.get(id) ?? 0) < TOUCH_INTERVAL_MS) {
      return;
    }
    this.touched.set(id, now.getTime());
    void this.keys.touch(id, now).catch(() => this.touched.delete(id));
  }
}
