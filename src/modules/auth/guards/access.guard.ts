import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { API_KEY_SCOPES_KEY, type ApiKeyScope } from '../../../common/auth/api-key-scopes.js';
import type { Principal, UserPrincipal } from '../../../common/auth/principal.js';
import { ApiKeyAuthenticator } from '../../api-keys/api-key-authenticator.js';
import { MarketKeyAuthenticator } from '../../market-keys/market-key-authenticator.js';
import {
  MARKET_API_KEY,
  type MarketApiOptions,
} from '../../../common/auth/market-api.decorator.js';
import { REQUIRED_FEATURE_KEY } from '../../../common/auth/requires-feature.decorator.js';
import { TenantFeatures } from '../../tenants/tenant-features.service.js';
import type { TenantFeature } from '../../tenants/tenant-settings.js';
import { NO_IMPERSONATION_KEY } from '../../../common/auth/no-impersonation.decorator.js';
import { ALLOW_PENDING_PASSWORD_CHANGE_KEY } from '../../../common/auth/pending-password-change.decorator.js';
import { OPTIONAL_AUTH_KEY } from '../../../common/auth/optional-auth.decorator.js';
import { IS_PUBLIC_KEY } from '../../../common/auth/public.decorator.js';
import { ROLES_KEY } from '../../../common/auth/roles.decorator.js';
import { hasRole, type RequiredRole } from '../../../common/auth/roles.js';
import { runStrategy } from '../../../common/auth/run-strategy.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { bearerToken, JwtStrategy } from './jwt.strategy.js';
import { SessionState } from '../session-state.service.js';
import { VerifiedTokens } from './verified-tokens.js';

interface RouteAccess {
  isPublic: boolean;
  optionalAuth: boolean;
  allowPendingPasswordChange: boolean;
  noImpersonation: boolean;
  roles: RequiredRole[];
  apiKeyScopes: ApiKeyScope[];
  marketApi?: MarketApiOptions;
  feature?: TenantFeature;
}

function authFailure(info: unknown): AppException {
  const name = (info as { name?: string } | undefined)?.name;
  return new AppException(
    name === 'TokenExpiredError' ? 'AUTH_TOKEN_EXPIRED' : 'AUTH_TOKEN_INVALID',
  );
}

/**
 * The global guard: every route needs a valid access token unless it is `@Public()`, and
 * `@Roles(...)` narrows it further. 401 means "who are you?", 403 "not allowed". It runs before
 * the rate limiter, so signed-in callers get their own budget.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly routes = new WeakMap<object, RouteAccess>();
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtStrategy,
    private readonly verified: VerifiedTokens,
    private readonly sessionState: SessionState,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly marketKeys: MarketKeyAuthenticator,
    private readonly features: TenantFeatures,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.accessFor(context);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (access.isPublic) {
      if (access.optionalAuth && request.headers.authorization) {
        request.principal = await this.authenticate(request);
      }
      return true;
    }
    if (access.marketApi) {
      request.principal = await this.authenticateMarket(request, access.marketApi);
      return true;
    }
    const apiKey = request.headers['x-api-key'];
    if (!request.headers.authorization && typeof apiKey === 'string') {
      const keyPrincipal = await this.authenticateApiKey(apiKey, request, access);
      request.principal = keyPrincipal;
      // A tenant's keys are its API integration: they stop when the plan turns it off.
      await this.assertFeature(keyPrincipal, 'api_integration');
      await this.assertFeature(keyPrincipal, access.feature);
      return true;
    }
    if (!request.headers.authorization) {
      throw new AppException('AUTH_UNAUTHENTICATED');
    }
    const principal = await this.authenticate(request);
    request.principal = principal;
    if (principal.passwordChangeRequired && !access.allowPendingPasswordChange) {
      throw new AppException('AUTH_PASSWORD_CHANGE_REQUIRED');
    }
    if (access.noImpersonation && principal.actorUserId) {
      throw new AppException('AUTH_IMPERSONATION_FORBIDDEN');
    }
    if (access.roles.length > 0 && !hasRole(principal, access.roles)) {
      throw new AppException('AUTH_FORBIDDEN', undefined, { required_roles: access.roles });
    }
    await this.assertFeature(principal, access.feature);
    return true;
  }

  private async assertFeature(principal: Principal, feature: TenantFeature | undefined) {
    const tenantId =
      principal.kind === 'user' || principal.kind === 'api_key' ? principal.tenantId : null;
    if (feature && tenantId) {
      await this.features.assertEnabled(tenantId, feature);
    }
  }

  /** `/mt/...`: the Service Market's key, or a super admin; nobody else. */
  private async authenticateMarket(
    request: FastifyRequest,
    options: MarketApiOptions,
  ): Promise<Principal> {
    const marketKey =
      request.headers['x-market-api-key'] ??
      (options.legacyHeader ? request.headers['x-api-key'] : undefined);
    if (typeof marketKey === 'string') {
      return this.marketKeys.authenticate(marketKey, request.ip);
    }
    if (!request.headers.authorization) {
      throw new AppException('MARKET_API_KEY_INVALID');
    }
    const principal = await this.authenticate(request);
    if (principal.platformRole !== 'super_admin' || principal.actorUserId) {
      throw new AppException('MARKET_ACCESS_FORBIDDEN');
    }
    return principal;
  }

  /** A key works only on routes that accept one of its scopes (`@AllowApiKey`). */
  private async authenticateApiKey(
    key: string,
    request: FastifyRequest,
    access: RouteAccess,
  ): Promise<Principal> {
    const principal = await this.apiKeys.authenticate(key, request.ip);
    if (access.apiKeyScopes.length === 0) {
      throw new AppException('API_KEY_NOT_ACCEPTED');
    }
    const granted = principal.kind === 'api_key' ? (principal.scopes ?? []) : [];
    if (!access.apiKeyScopes.some((scope) => granted.includes(scope))) {
      throw new AppException('API_KEY_SCOPE_MISSING', undefined, {
        required_scopes: access.apiKeyScopes,
      });
    }
    return principal;
  }

  private async authenticate(request: FastifyRequest): Promise<UserPrincipal> {
    const token = bearerToken(request);
    const known = token ? this.verified.get(token) : undefined;
    if (known) {
      return this.sessionState.principalFor(known);
    }
    const outcome = await runStrategy(this.jwt, request);
    switch (outcome.kind) {
      case 'success':
        return outcome.user as UserPrincipal;
      case 'error':
        throw outcome.error instanceof AppException
          ? outcome.error
          : new AppException('AUTH_TOKEN_INVALID');
      case 'fail':
      case 'redirect':
        throw authFailure(outcome.kind === 'fail' ? outcome.info : undefined);
    }
  }

  private accessFor(context: ExecutionContext): RouteAccess {
    const handler = context.getHandler();
    let access = this.routes.get(handler);
    if (!access) {
      const targets = [handler, context.getClass()];
      access = {
        isPublic: this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) ?? false,
        optionalAuth:
          this.reflector.getAllAndOverride<boolean>(OPTIONAL_AUTH_KEY, targets) ?? false,
        allowPendingPasswordChange:
          this.reflector.getAllAndOverride<boolean>(ALLOW_PENDING_PASSWORD_CHANGE_KEY, targets) ??
          false,
        noImpersonation:
          this.reflector.getAllAndOverride<boolean>(NO_IMPERSONATION_KEY, targets) ?? false,
        roles: this.reflector.getAllAndOverride<RequiredRole[]>(ROLES_KEY, targets) ?? [],
        apiKeyScopes:
          this.reflector.getAllAndOverride<ApiKeyScope[]>(API_KEY_SCOPES_KEY, targets) ?? [],
        marketApi: this.reflector.getAllAndOverride<MarketApiOptions>(MARKET_API_KEY, targets),
        feature: this.reflector.getAllAndOverride<TenantFeature>(REQUIRED_FEATURE_KEY, targets),
      };
      this.routes.set(handler, access);
    }
    return access;
  }
}
