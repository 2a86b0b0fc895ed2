import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { ApiKey } from './api-key.entity.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { API_KEY_ERROR_CODES } from './api-keys.errors.js';

registerErrorCodes(API_KEY_ERROR_CODES);

@Module({
  imports: [TypeOrmModule.forFeature([ApiKey])],
  controllers: [ApiKeysController],
  providers: [ApiKeysRepository, ApiKeysService, ApiKeyAuthenticator],
  exports: [ApiKeyAuthenticator],
})
export class ApiKeysModule {}
