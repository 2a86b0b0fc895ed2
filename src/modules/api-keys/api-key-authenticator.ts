import { timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import type { Principal } from '../../common/auth/principal.js';
import { Clock } from '../../common/clock/clock.js';
import { AppException } from '../../common/errors/app.exception.js';
import { rateLimited } from '../../common/throttling/rate-limited.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { API_KEY_FORMAT, hashApiKey } from './api-keys.service.js';

const TOUCH_INTERVAL_MS = 60_000;

/**
 * Turns an `X-API-Key` into a principal. Every request reads the key's row, so a revoked or
 * expired key, or one of a deactivated tenant, is refused at once. Failed attempts are counted
 * per client address; past the budget the address gets 429 for the window.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly clock: Clock,
    private readonly config: AppConfigService,
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
  ) {}

  async authenticate(key: string, ip: string): Promise<Principal> {
    const match = API_KEY_FORMAT.exec(key);
    const now = this.clock.now();
    const credential = match?.[1] ? await this.keys.findCredential(match[1], now) : undefined;
    const matches =
      credential !== undefined &&
      timingSafeEqual(Buffer.from(hashApiKey(key)), Buffer.from(credential.key_hash));
    if (!credential || !matches || !credential.usable) {
      await this.countFailure(ip);
      throw new AppException('API_KEY_INVALID');
    }
    if (!credential.tenant_active) {
      // Only a holder of the real key hears it: the school is closed, not the key wrong.
      throw new AppException('API_KEY_TENANT_INACTIVE', undefined, {
        tenant_id: credential.tenant_id,
      });
    }
    this.touch(credential.id, now);
    return {
      kind: 'api_key',
      apiKeyId: credential.id,
      tenantId: credential.tenant_id,
      scopes: credential.scopes,
    };
  }

  private async countFailure(ip: string): Promise<void> {
    const ttl = this.config.get('RATE_LIMIT_API_KEY_FAILURE_TTL_SECONDS') * 1000;
    const record = await this.storage.increment(
      `api-key-failures:${ip}`,
      ttl,
      this.config.get('RATE_LIMIT_API_KEY_FAILURE_LIMIT'),
      ttl,
      'api_key_failures',
    );
    if (record.isBlocked) {
      throw rateLimited(record.timeToBlockExpire, 'Too many invalid API keys');
    }
  }

  /** last_used_at, written at most once a minute per key per instance. */
  private touch(id: string, now: Date): void {
    const last = this.touched.get(id) ?? 0;
    if (now.getTime() - last < TOUCH_INTERVAL_MS) {
      return;
    }
    this.touched.set(id, now.getTime());
    void this.keys.touch(id, now).catch(() => this.touched.delete(id));
  }
}
