import { AppException } from '../errors/app.exception.js';
import type { Principal } from './principal.js';

/**
 * For services, on the first line of a method touching one tenant's records: the caller acts
 * in that tenant (or is a super admin). Route roles say what; this says where.
 */
export function assertTenantAccess(principal: Principal | undefined, tenantId: string): void {
  if (principal?.kind === 'user' && principal.platformRole === 'super_admin') {
    return;
  }
  const callerTenant =
    principal?.kind === 'user' || principal?.kind === 'api_key' ? principal.tenantId : undefined;
  if (callerTenant !== tenantId) {
    throw new AppException('COMMON_FORBIDDEN', 'This belongs to another tenant');
  }
}
