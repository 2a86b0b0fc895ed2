import { describe, expect, it } from '@jest/globals';
import { isSecretName } from './secret-names.js';

describe('isSecretName', () => {
  it.each([
    'password',
    'new_password',
    'temporaryPassword',
    'password_confirmation',
    'token',
    'refresh_token',
    'access_token',
    'idToken',
    'client_secret',
    'secret',
    'key',
    'api_key',
    'apiKey',
    'x-api-key',
    'X-Market-API-Key',
    'private_key',
    'key_hash',
    'token_hash',
    'authorization',
    'set-cookie',
    'code',
  ])('should treat %s as a secret', (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    'daily_tokens',
    'monthly_tokens',
    'input_tokens',
    'output_tokens',
    'max_tokens',
    'tokens',
    'token_type',
    'api_key_id',
    'idempotency_key',
    'join_code',
    'email',
    'passage',
    'bypass_cache',
    'name',
  ])('should keep %s readable', (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});
