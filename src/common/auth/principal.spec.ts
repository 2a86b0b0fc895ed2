import { describe, expect, it } from '@jest/globals';
import { principalKey } from './principal.js';

describe('principalKey', () => {
  it('should key a budget by the caller, never by a shared address', () => {
    expect(principalKey({ kind: 'user', userId: 'u1', tenantId: 'hallym_univ' })).toBe('user:u1');
    expect(principalKey({ kind: 'api_key', apiKeyId: 'k1', tenantId: null })).toBe('api_key:k1');
    expect(principalKey({ kind: 'market', marketKeyId: 'm1' })).toBe('market:m1');
  });

  it('should leave anonymous and system calls to the IP key', () => {
    expect(principalKey(undefined)).toBeUndefined();
    expect(principalKey({ kind: 'system' })).toBeUndefined();
  });
});
