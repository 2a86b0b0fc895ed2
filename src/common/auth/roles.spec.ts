import { describe, expect, it } from '@jest/globals';
import { hasRole, isTenantAdmin } from './roles.js';

describe('hasRole', () => {
  const member = { kind: 'user' as const, userId: 'u', tenantId: 't' };

  it('should match the role held in the active tenant', () => {
    expect(hasRole({ ...member, role: 'teacher' }, ['teacher', 'admin'])).toBe(true);
    expect(hasRole({ ...member, role: 'student' }, ['teacher', 'admin'])).toBe(false);
    expect(hasRole({ ...member, role: null }, ['student'])).toBe(false);
  });

  it('should let super admins through every role check, and nobody else into platform routes', () => {
    expect(hasRole({ ...member, platformRole: 'super_admin' }, ['admin'])).toBe(true);
    expect(hasRole({ ...member, role: 'admin' }, ['super_admin'])).toBe(false);
  });
});

describe('isTenantAdmin', () => {
  const member = { kind: 'user' as const, userId: 'u', tenantId: 't' };

  it("should give admin rights to the tenant's admins and to platform-wide callers", () => {
    expect(isTenantAdmin({ ...member, role: 'admin' })).toBe(true);
    expect(isTenantAdmin({ ...member, tenantId: null, platformRole: 'super_admin' })).toBe(true);
    expect(isTenantAdmin({ kind: 'api_key', apiKeyId: 'k', tenantId: null })).toBe(true);
    expect(isTenantAdmin({ kind: 'market', marketKeyId: 'm' })).toBe(true);
  });

  it("should refuse teachers, students, role-less members and a tenant's own API keys", () => {
    expect(isTenantAdmin({ ...member, role: 'teacher' })).toBe(false);
    expect(isTenantAdmin({ ...member, role: 'student' })).toBe(false);
    expect(isTenantAdmin({ ...member, role: null })).toBe(false);
    const tenantKey = { kind: 'api_key' as const, apiKeyId: 'k', tenantId: 't' };
    expect(isTenantAdmin({ ...tenantKey, scopes: ['users:write'] })).toBe(false);
    expect(isTenantAdmin({ kind: 'system' })).toBe(false);
  });
});
