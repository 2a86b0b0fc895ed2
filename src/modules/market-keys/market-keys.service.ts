import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { UserPrincipal } from '../../common/auth/principal.js';
import { Clock } from '../../common/clock/clock.js';
import { AppException } from '../../common/errors/app.exception.js';
import { AppConfigService } from '../../config/app-config.service.js';
import { mapMarketKey, type CreatedMarketKeyDto, type MarketKeyDto } from './dto/market-key.dto.js';
import { MarketKeysRepository } from './market-keys.repository.js';

export function hashMarketKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Market keys: created by super admins (shown once) or seeded from MARKET_API_KEYS. */
@Injectable()
export class MarketKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(MarketKeysService.name);

  constructor(
    private readonly keys: MarketKeysRepository,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const seeded = this.config.marketApiKeys.map((key, index) => ({
      name: `MARKET_API_KEYS #${index + 1}`,
      keyPrefix: key.slice(0, 8),
      keyHash: hashMarketKey(key),
    }));
    await this.keys.syncEnvKeys(seeded, this.clock.now());
    if (seeded.length > 0) {
      this.logger.log({ count: seeded.length }, 'market keys seeded from MARKET_API_KEYS');
    }
  }

  async create(user: UserPrincipal, name: string): Promise<CreatedMarketKeyDto> {
    const key = `dsm_${randomBytes(32).toString('base64url')}`;
    const row = await this.keys.insert({
      name,
      keyPrefix: key.slice(0, 12),
      keyHash: hashMarketKey(key),
      source: 'admin',
      createdBy: user.userId,
    });
    return { ...mapMarketKey(row), key };
  }

  async list(): Promise<MarketKeyDto[]> {
    return (await this.keys.list()).map(mapMarketKey);
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.keys.revoke(id, this.clock.now()))) {
      throw new AppException('MARKET_KEY_NOT_FOUND');
    }
  }
}
