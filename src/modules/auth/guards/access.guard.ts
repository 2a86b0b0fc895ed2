import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { IS_PUBLIC_KEY } from '../../../common/auth/public.decorator.js';
import { ROLES_KEY } from '../../../common/auth/roles.decorator.js';
import type { RequiredRole } from '../../../common/auth/roles.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { JWT_STRATEGY } from './jwt.strategy.js';

interface RouteAccess {
  isPublic: boolean;
  roles: RequiredRole[];
}

class JwtPassportGuard extends AuthGuard(JWT_STRATEGY) {
  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error) {
      throw error instanceof AppException ? error : new AppException('AUTH_TOKEN_INVALID');
    }
    if (!user) {
      const name = (info as { name?: string } | undefined)?.name;
      throw new AppException(
        name === 'TokenExpiredError' ? 'AUTH_TOKEN_EXPIRED' : 'AUTH_TOKEN_INVALID',
      );
    }
    return user;
  }
}

/**
 * The global guard: every route needs a valid access token unless it is `@Public()`, and
 * `@Roles(...)` narrows it further. 401 means "who are you?", 403 "not allowed". It runs before
 * the rate limiter, so signed-in callers get their own budget.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly routes = new WeakMap<object, RouteAccess>();
  private readonly jwt = new JwtPassportGuard();

  constructor(private readonly reflector: Reflector) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.accessFor(context);
    if (access.isPublic) {
      return true;
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!request.headers.authorization) {
      throw new AppException('AUTH_UNAUTHENTICATED');
    }
    await this.jwt.canActivate(context);
    const principal = (request as unknown as { user: UserPrincipal }).user;
    request.principal = principal;
    if (access.roles.length > 0 && !hasRole(principal, access.roles)) {
      throw new AppException('AUTH_FORBIDDEN', undefined, { required_roles: access.roles });
    }
    return true;
  }

  private accessFor(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    let access = this.routes.get(handler);
    if (!access) {
      const targets = [handler, context.getClass()];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) ?? false,
        roles: this.reflector.getAllAndOverride<RequiredRole[]>(ROLES_KEY, targets) ?? [],
      };
      this.routes.set(handler, access);
    }
    return access;
  }
}

/** Super admins pass every role check; others need the role in the tenant they are signed in to. */
export function hasRole(principal: UserPrincipal, roles: RequiredRole[]): boolean {
  if (principal.platformRole === 'super_admin') {
    return true;
  }
  return principal.role !== undefined && principal.role !== null && roles.includes(principal.role);
}
