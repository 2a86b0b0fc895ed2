import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MarketApiKey } from './market-api-key.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([MarketApiKey])],
})
export class MarketKeysModule {}
