import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketApiKey } from './market-api-key.entity.js';
import { MarketKeyAuthenticator } from './market-key-authenticator.js';
import { MarketKeysController } from './market-keys.controller.js';
import { MarketKeysRepository } from './market-keys.repository.js';
import { MarketKeysService } from './market-keys.service.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { MARKET_KEY_ERROR_CODES } from './market-keys.errors.js';

registerErrorCodes(MARKET_KEY_ERROR_CODES);

/** The Service Market's keys (X-Market-API-Key) and their administration. */
@Module({
  imports: [TypeOrmModule.forFeature([MarketApiKey])],
  controllers: [MarketKeysController],
  providers: [MarketKeysRepository, MarketKeysService, MarketKeyAuthenticator],
  exports: [MarketKeyAuthenticator],
})
export class MarketKeysModule {}
