import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../errors/app.exception.js';
import { resolveTenantScope } from './tenant-access.js';

/**
 * The tenant a user route acts in, for the controller to pass to its service: the caller's
 * own tenant, or `undefined` (every tenant) for platform-wide callers. Routes that let super
 * admins name a tenant (`tenant_id`) call `resolveTenantScope` with the validated value instead.
 */
export const TenantInScope = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (!principal) {
      throw new AppException('COMMON_UNAUTHORIZED');
    }
    return resolveTenantScope(principal, undefined);
  },
);
