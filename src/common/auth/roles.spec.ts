import { describe, expect, it } from '@jest/globals';
import { hasRole } from './roles.js';

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
