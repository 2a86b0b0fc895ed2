import { describe, expect, it } from '@jest/globals';
import { assertTenantScope, resolveTenantScope } from './tenant-access.js';

describe('assertTenantScope', () => {
  const teacher = {
    kind: 'user' as const,
    userId: 'u1',
    tenantId: 'north',
    role: 'teacher' as const,
  };

  const superAdmin = { ...teacher, tenantId: null, platformRole: 'super_admin' as const };
  const market = { kind: 'market' as const, marketKeyId: 'm' };
  const tenantKey = { kind: 'api_key' as const, apiKeyId: 'k', tenantId: 'north' };

  it('should let a member or tenant key act in their own tenant', () => {
    expect(() => assertTenantScope(teacher, 'north')).not.toThrow();
    expect(() => assertTenantScope(tenantKey, 'north')).not.toThrow();
  });

  it('should let platform-wide callers act in any tenant, or in all of them', () => {
    expect(() => assertTenantScope(superAdmin, 'south')).not.toThrow();
    expect(() => assertTenantScope(superAdmin, undefined)).not.toThrow();
    expect(() => assertTenantScope(market, 'south')).not.toThrow();
  });

  it('should refuse another tenant, every tenant, and callers outside any tenant', () => {
    expect(() => assertTenantScope(teacher, 'south')).toThrow('another tenant');
    expect(() => assertTenantScope(tenantKey, 'south')).toThrow('another tenant');
    expect(() => assertTenantScope(teacher, undefined)).toThrow('another tenant');
    expect(() => assertTenantScope({ ...teacher, tenantId: null }, 'north')).toThrow(
      'Sign in to a tenant first',
    );
    expect(() => assertTenantScope({ kind: 'system' }, 'north')).toThrow();
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
