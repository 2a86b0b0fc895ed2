import { SetMetadata } from '@nestjs/common';
import type { RequiredRole } from './roles.js';

export const ROLES_KEY = 'auth:roles';

/**
 * The caller needs one of these roles: a tenant role in the tenant the token is scoped to, or
 * a platform role. Super admins pass every role check; resource access is still checked in
 * services.
 */
export const Roles = (...roles: RequiredRole[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);
