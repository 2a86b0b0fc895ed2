import type { UserPrincipal } from '../../common/auth/principal.js';
import { AppException } from '../../common/errors/app.exception.js';
import type { Payer } from './payer.js';

/**
 * Whose billing a caller may see and manage: their own, or a school's when they are its admin
 * (signed in to it) or a super admin. A teacher or an admin of another school gets 403.
 */
export function billingPayer(user: UserPrincipal, tenantId: string | undefined): Payer {
  if (tenantId === undefined) {
    return { kind: 'user', id: user.userId };
  }
  const superAdmin = user.platformRole === 'super_admin';
  const schoolAdmin = user.tenantId === tenantId && user.role === 'admin';
  if (!superAdmin && !schoolAdmin) {
    throw new AppException('COMMON_FORBIDDEN', "Only the school's admins manage its billing");
  }
  return { kind: 'tenant', id: tenantId };
}
