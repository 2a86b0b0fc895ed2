import { describe, expect, it } from '@jest/globals';
import { assertTenantAccess, resolveTenantScope } from './tenant-access.js';

describe('assertTenantAccess', () => {
  const teacher = {
    kind: 'user' as const,
    userId: 'u1',
    tenantId: 'north',
    role: 'teacher' as const,
  };

  it('should let a member act in their own tenant and a super admin anywhere', () => {
    expect(() => assertTenantAccess(teacher, 'north')).not.toThrow();
    expect(() =>
      assertTenantAccess({ ...teacher, tenantId: null, platformRole: 'super_admin' }, 'south'),
    ).not.toThrow();
  });

  it('should refuse another tenant, anonymous callers and market keys', () => {
    expect(() => assertTenantAccess(teacher, 'south')).toThrow('another tenant');
    expect(() => assertTenantAccess(undefined, 'north')).toThrow();
    expect(() => assertTenantAccess({ kind: 'market', marketKeyId: 'm' }, 'north')).toThrow();
  });

  it('should scope a tenant admin to their tenant and let platform callers choose', () => {
    expect(resolveTenantScope(teacher, undefined)).toBe('north');
    expect(resolveTenantScope(teacher, 'north')).toBe('north');
    expect(() => resolveTenantScope(teacher, 'south')).toThrow('another tenant');
    const platformKey = { kind: 'api_key' as const, apiKeyId: 'k', tenantId: null };
    expect(resolveTenantScope(platformKey, undefined)).toBeUndefined();
    expect(resolveTenantScope(platformKey, 'south')).toBe('south');
    expect(() => resolveTenantScope({ ...teacher, tenantId: null }, undefined)).toThrow();
  });
});
