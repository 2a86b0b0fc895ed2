import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { declaredAccess } from '../../../common/auth/access.decorator.js';
import {
  keyRefusal,
  userRefusal,
  type AccessPolicy,
  type MarketAccess,
  type Refusal,
  type SignedInAccess,
} from '../../../common/auth/access-policy.js';
import type { Principal, UserPrincipal } from '../../../common/auth/principal.js';
import { runStrategy } from '../../../common/auth/run-strategy.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { ApiKeyAuthenticator } from '../../api-keys/api-key-authenticator.js';
import { MarketKeyAuthenticator } from '../../market-keys/market-key-authenticator.js';
import { TenantFeatures } from '../../tenants/tenant-features.service.js';
import type { TenantFeature } from '../../tenants/tenant-settings.js';
import { SessionState } from '../session-state.service.js';
import { bearerToken, JwtStrategy } from './jwt.strategy.js';
import { VerifiedTokens } from './verified-tokens.js';

/** A route that declares nothing (the every-route test keeps it from shipping): any signed-in user. */
const UNDECLARED: SignedInAccess = {
  kind: 'signed_in',
  roles: [],
  apiKeyScopes: [],
  impersonation: 'allowed',
  pendingPasswordChange: 'refused',
};

function refuse(refusal: Refusal | undefined): void {
  if (refusal) {
    throw new AppException(refusal.code, undefined, refusal.details ?? null);
  }
}

function authFailure(info: unknown): AppException {
  const name = (info as { name?: string } | undefined)?.name;
  return new AppException(
    name === 'TokenExpiredError' ? 'AUTH_TOKEN_EXPIRED' : 'AUTH_TOKEN_INVALID',
  );
}

/**
 * The global guard: enforces the route's one `@Access` policy (see `AccessPolicy`). 401 means
 * "who are you?", 403 "not allowed". It runs before the rate limiter, so signed-in callers get
 * their own budget.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly jwt: JwtStrategy,
    private readonly verified: VerifiedTokens,
    private readonly sessionState: SessionState,
    private readonly apiKeys: ApiKeyAuthenticator,
    private readonly marketKeys: MarketKeyAuthenticator,
    private readonly features: TenantFeatures,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy: AccessPolicy =
      declaredAccess(context.getHandler(), context.getClass()) ?? UNDECLARED;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    switch (policy.kind) {
      case 'public':
        if (policy.optionalAuth && request.headers.authorization) {
          request.principal = await this.authenticateUser(request);
        }
        return true;
      case 'market':
        request.principal = await this.authenticateMarket(request, policy);
        return true;
      case 'signed_in':
        await this.authenticateSignedIn(request, policy);
        return true;
    }
  }

  /** A bearer token when one is sent; otherwise an `X-API-Key`, where the route accepts keys. */
  private async authenticateSignedIn(
    request: FastifyRequest,
    policy: SignedInAccess,
  ): Promise<void> {
    const apiKey = request.headers['x-api-key'];
    if (!request.headers.authorization && typeof apiKey === 'string') {
      const key = await this.apiKeys.authenticate(apiKey, request.ip);
      refuse(keyRefusal(policy, key));
      request.principal = key;
      // A tenant's keys are its API integration: they stop when the plan turns it off.
      await this.assertFeature(key, 'api_integration');
      await this.assertFeature(key, policy.feature);
      return;
    }
    if (!request.headers.authorization) {
      throw new AppException('AUTH_UNAUTHENTICATED');
    }
    const user = await this.authenticateUser(request);
    request.principal = user;
    refuse(userRefusal(policy, user));
    await this.assertFeature(user, policy.feature);
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
    policy: MarketAccess,
  ): Promise<Principal> {
    const marketKey =
      request.headers['x-market-api-key'] ??
      (policy.legacyHeader ? request.headers['x-api-key'] : undefined);
    if (typeof marketKey === 'string') {
      return this.marketKeys.authenticate(marketKey, request.ip);
    }
    if (!request.headers.authorization) {
      throw new AppException('MARKET_API_KEY_INVALID');
    }
    const principal = await this.authenticateUser(request);
    if (principal.platformRole !== 'super_admin' || principal.actorUserId) {
      throw new AppException('MARKET_ACCESS_FORBIDDEN');
    }
    return principal;
  }

  private async authenticateUser(request: FastifyRequest): Promise<UserPrincipal> {
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
}
