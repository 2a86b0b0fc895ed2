import { AppException } from '../errors/app.exception.js';
import { isPlatformWide, type Principal } from './principal.js';

/**
 * The first line of every service method that reads or changes tenant data: the caller may
 * act in `tenantId`, which the controller resolved (from the path on machine and market
 * routes, with `resolveTenantScope` on user routes). `undefined` means every tenant, which
 * only platform-wide callers may ask for.
 */
export function assertTenantScope(principal: Principal, tenantId: string | undefined): void {
  if (isPlatformWide(principal)) {
    return;
  }
  const own = principal.kind === 'user' || principal.kind === 'api_key' ? principal.tenantId : null;
  if (own === null) {
    throw new AppException('COMMON_FORBIDDEN', 'Sign in to a tenant first (switch-tenant)');
  }
  if (tenantId !== own) {
    throw new AppException('COMMON_FORBIDDEN', 'This belongs to another tenant');
  }
}

/**
 * The tenant a request is about, for controllers of user routes to pass to the service.
 * Platform-wide callers (super admins, platform keys) get what they asked for (`undefined`:
 * every tenant); everyone else their own tenant, and 403 when they name another one.
 */
export function resolveTenantScope(
  principal: Principal,
  requested: string | undefined,
): string | undefined {
  if (isPlatformWide(principal)) {
    return requested;
  }
  const own = principal.kind === 'user' || principal.kind === 'api_key' ? principal.tenantId : null;
  if (requested !== undefined && requested !== own) {
    throw new AppException('COMMON_FORBIDDEN', 'This belongs to another tenant');
  }
  if (own === null) {
    throw new AppException('COMMON_FORBIDDEN', 'Sign in to a tenant first (switch-tenant)');
  }
  return own;
}
