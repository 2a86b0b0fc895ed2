import { isPlatformWide, type Principal, type UserPrincipal } from './principal.js';

export const TENANT_ROLES = ['student', 'teacher', 'admin'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export const PLATFORM_ROLES = ['super_admin'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** What a route may require: a role in the caller's active tenant, or a platform role. */
export type RequiredRole = TenantRole | PlatformRole;

/** Super admins pass every role check; others need the role in the tenant they are signed in to. */
export function hasRole(principal: UserPrincipal, roles: RequiredRole[]): boolean {
  if (principal.platformRole === 'super_admin') {
    return true;
  }
  return principal.role !== undefined && principal.role !== null && roles.includes(principal.role);
}

/**
 * Has a school admin's rights in the tenant in scope: an admin of the active tenant, or a
 * platform-wide caller (super admin, platform API key, the Service Market). A tenant's API key
 * never is, whatever its scopes: it manages members, not admins.
 */
export function isTenantAdmin(principal: Principal): boolean {
  return isPlatformWide(principal) || (principal.kind === 'user' && principal.role === 'admin');
}
