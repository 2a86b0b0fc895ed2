import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';

/** What an API key may be granted. Routes opt in with `@AllowApiKey(scope)`. */
export const API_KEY_SCOPES = ['users:read', 'users:write', 'audit:read'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_SCOPES_KEY = 'auth:apiKeyScopes';

/**
 * The route also accepts an `X-API-Key` holding one of these scopes (instead of a bearer
 * token). Routes without it refuse API keys.
 */
export const AllowApiKey = (...scopes: ApiKeyScope[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(API_KEY_SCOPES_KEY, scopes),
    ApiBearerAuth('bearer'),
    ApiSecurity('api-key'),
  );
