import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiSecurity,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ErrorEnvelope } from '../errors/error-envelope.dto.js';
import { MARKET_API_KEY_SCHEME } from '../swagger/setup-swagger.js';

export const MARKET_API_KEY = 'auth:marketApi';

export interface MarketApiOptions {
  /** The Service Market's old paths sent the key as `X-API-Key` (not X-Market-API-Key): accept it too. */
  legacyHeader?: boolean;
}

/**
 * The Service Market's routes (`/mt/...`): callable with `X-Market-API-Key`, or by a super
 * admin's bearer token. Tenant admins, tenant API keys and everyone else are refused.
 */
export const MarketApi = (options: MarketApiOptions = {}): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(MARKET_API_KEY, options),
    ApiSecurity(MARKET_API_KEY_SCHEME),
    ApiBearerAuth('bearer'),
    ApiUnauthorizedResponse({
      type: ErrorEnvelope,
      description: 'MARKET_API_KEY_INVALID (missing or wrong X-Market-API-Key)',
    }),
    ApiForbiddenResponse({
      type: ErrorEnvelope,
      description: 'MARKET_ACCESS_FORBIDDEN (a bearer token that is not a super admin)',
    }),
  );
