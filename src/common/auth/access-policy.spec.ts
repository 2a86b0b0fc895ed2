import { describe, expect, it } from '@jest/globals';
import {
  accessErrorCodes,
  keyRefusal,
  userRefusal,
  type Refusal,
  type SignedInAccess,
} from './access-policy.js';
import type { UserPrincipal } from './principal.js';

const policy = (overrides: Partial<SignedInAccess> = {}): SignedInAccess => ({
  kind: 'signed_in',
  roles: [],
  apiKeyScopes: [],
  impersonation: 'allowed',
  pendingPasswordChange: 'refused',
  ...overrides,
});
const teacher: UserPrincipal = { kind: 'user', userId: 'u', tenantId: 't', role: 'teacher' };
const key = (scopes: Array<'users:read' | 'users:write' | 'audit:read'>) => ({
  kind: 'api_key' as const,
  apiKeyId: 'k',
  tenantId: 't',
  scopes,
});
const codeOf = (refusal: () => Refusal | undefined): string | undefined => refusal()?.code;

describe('userRefusal', () => {
  it('should check users against roles, and never against API key scopes', () => {
    expect(codeOf(() => userRefusal(policy({ roles: ['admin'] }), teacher))).toBe('AUTH_FORBIDDEN');
    const keysOnly = policy({ roles: ['teacher'], apiKeyScopes: ['users:read'] });
    expect(codeOf(() => userRefusal(keysOnly, teacher))).toBeUndefined();
    expect(codeOf(() => userRefusal(policy(), teacher))).toBeUndefined();
  });

  it('should ask for the new password first, then refuse impersonation, then roles', () => {
    const strict = policy({ roles: ['admin'], impersonation: 'refused' });
    const pending = { ...teacher, passwordChangeRequired: true, actorUserId: 'staff' };
    expect(codeOf(() => userRefusal(strict, pending))).toBe('AUTH_PASSWORD_CHANGE_REQUIRED');
    const impersonated = { ...teacher, actorUserId: 'staff' };
    expect(codeOf(() => userRefusal(strict, impersonated))).toBe('AUTH_IMPERSONATION_FORBIDDEN');
    const allowing = policy({ pendingPasswordChange: 'allowed' });
    expect(codeOf(() => userRefusal(allowing, pending))).toBeUndefined();
  });
});

describe('keyRefusal', () => {
  it('should check keys against scopes only, and refuse them where no scope is accepted', () => {
    const adminsOrReaders = policy({ roles: ['admin'], apiKeyScopes: ['users:read'] });
    expect(codeOf(() => keyRefusal(adminsOrReaders, key(['users:read'])))).toBeUndefined();
    expect(codeOf(() => keyRefusal(adminsOrReaders, key(['audit:read'])))).toBe(
      'API_KEY_SCOPE_MISSING',
    );
    expect(codeOf(() => keyRefusal(policy({ roles: ['admin'] }), key(['users:read'])))).toBe(
      'API_KEY_NOT_ACCEPTED',
    );
  });
});

describe('accessErrorCodes', () => {
  it('should list exactly what the policy can answer', () => {
    expect(accessErrorCodes({ kind: 'public', optionalAuth: false })).toEqual([]);
    expect(accessErrorCodes({ kind: 'public', optionalAuth: true })).toContain(
      'AUTH_TOKEN_EXPIRED',
    );
    const plain = accessErrorCodes(policy());
    expect(plain).toEqual(expect.arrayContaining(['AUTH_UNAUTHENTICATED', 'API_KEY_NOT_ACCEPTED']));
    expect(plain).not.toEqual(
      expect.arrayContaining(['AUTH_FORBIDDEN', 'AUTH_IMPERSONATION_FORBIDDEN']),
    );
    expect(plain).not.toContain('TENANT_FEATURE_DISABLED');
    expect(plain).toContain('AUTH_PASSWORD_CHANGE_REQUIRED');
    const relaxed = accessErrorCodes(policy({ pendingPasswordChange: 'allowed' }));
    expect(relaxed).not.toContain('AUTH_PASSWORD_CHANGE_REQUIRED');
    expect(accessErrorCodes({ kind: 'market', legacyHeader: false })).toEqual(
      expect.arrayContaining(['MARKET_API_KEY_INVALID', 'MARKET_ACCESS_FORBIDDEN']),
    );
  });
});
