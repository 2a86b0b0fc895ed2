import { applyDecorators, SetMetadata } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { ApiBearerAuth, ApiExtension, ApiSecurity } from '@nestjs/swagger';
import type { TenantFeature } from '../../modules/tenants/tenant-settings.js';
import { ApiErrors } from '../errors/api-errors.decorator.js';
import { API_KEY_SCHEME, BEARER_SCHEME, MARKET_API_KEY_SCHEME } from '../swagger/setup-swagger.js';
import {
  accessErrorCodes,
  PUBLIC_EXTENSION,
  type AccessPolicy,
  type SignedInAccess,
} from './access-policy.js';
import type { ApiKeyScope } from './api-key-scopes.js';
import type { RequiredRole } from './roles.js';

export const ACCESS_POLICY_KEY = 'auth:access';

/** `@Access({...})`: a signed-in caller; every field optional (see `SignedInAccess`). */
export interface AccessOptions {
  roles?: RequiredRole[];
  apiKeyScopes?: ApiKeyScope[];
  feature?: TenantFeature;
  /** Default `allowed`. */
  impersonation?: 'allowed' | 'refused';
  /** Default `refused`. */
  pendingPasswordChange?: 'allowed' | 'refused';
}

type AccessDecorator = MethodDecorator & ClassDecorator;

/** A signed-in user, or an API key where `apiKeyScopes` accepts one (see `SignedInAccess`). */
function signedIn(options: AccessOptions = {}): AccessDecorator {
  const policy: SignedInAccess = {
    kind: 'signed_in',
    roles: options.roles ?? [],
    apiKeyScopes: options.apiKeyScopes ?? [],
    feature: options.feature,
    impersonation: options.impersonation ?? 'allowed',
    pendingPasswordChange: options.pendingPasswordChange ?? 'refused',
  };
  return declare(policy);
}

/** Anyone; with `optionalAuth`, a bearer token sent is verified and names the caller. */
function publicAccess(options: { optionalAuth?: boolean } = {}): AccessDecorator {
  return declare({ kind: 'public', optionalAuth: options.optionalAuth ?? false });
}

/** The Service Market (`X-Market-API-Key`) or a super admin not acting as someone else. */
function marketAccess(options: { legacyHeader?: boolean } = {}): AccessDecorator {
  return declare({ kind: 'market', legacyHeader: options.legacyHeader ?? false });
}

/**
 * The one access declaration of a route, read by the global AccessGuard. It also documents the
 * route's security schemes and the errors the guard can answer with.
 *
 * On a controller it is the policy of every route that declares none of its own; a route's own
 * `@Access` replaces the controller's as a whole (nothing is merged). Twice on one method or one
 * class is an error at start-up.
 *
 * `@Access({ roles, apiKeyScopes, feature, impersonation, pendingPasswordChange })`,
 * `@Access.public({ optionalAuth })`, `@Access.market({ legacyHeader })`.
 */
export const Access = Object.assign(signedIn, { public: publicAccess, market: marketAccess });

function declare(policy: AccessPolicy): AccessDecorator {
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (descriptor) {
      declareOnRoute(policy, target, key ?? '', descriptor);
      return;
    }
    const controller = target as { name: string; prototype: object };
    refuseTwice(controller, controller.name);
    Reflect.defineMetadata(ACCESS_POLICY_KEY, policy, controller);
    for (const name of Object.getOwnPropertyNames(controller.prototype)) {
      const route = Object.getOwnPropertyDescriptor(controller.prototype, name);
      const handler = route?.value as object | undefined;
      if (
        name !== 'constructor' &&
        route &&
        typeof handler === 'function' &&
        Reflect.hasOwnMetadata(PATH_METADATA, handler) &&
        !Reflect.hasOwnMetadata(ACCESS_POLICY_KEY, handler)
      ) {
        declareOnRoute(policy, controller.prototype, name, route);
      }
    }
  };
}

function declareOnRoute(
  policy: AccessPolicy,
  prototype: object,
  key: string | symbol,
  descriptor: PropertyDescriptor,
): void {
  const handler = descriptor.value as object;
  refuseTwice(handler, `${prototype.constructor.name}.${String(key)}`);
  // Fresh decorators per route: swagger's keep state between the routes they are applied to.
  applyDecorators(
    SetMetadata(ACCESS_POLICY_KEY, policy),
    ...swaggerSecurity(policy),
    ApiErrors(...accessErrorCodes(policy)),
  )(prototype, key, descriptor);
}

function refuseTwice(target: object, name: string): void {
  if (Reflect.hasOwnMetadata(ACCESS_POLICY_KEY, target)) {
    throw new Error(`${name} declares @Access twice: one declaration per route or controller`);
  }
}

function swaggerSecurity(policy: AccessPolicy): Array<MethodDecorator & ClassDecorator> {
  switch (policy.kind) {
    case 'public':
      // Optional sign-in: still shown as public, the token is only an extra.
      return [ApiExtension(PUBLIC_EXTENSION, true)];
    case 'market':
      return [
        ApiSecurity(MARKET_API_KEY_SCHEME),
        ...(policy.legacyHeader ? [ApiSecurity(API_KEY_SCHEME)] : []),
        ApiBearerAuth(BEARER_SCHEME),
      ];
    case 'signed_in':
      return [
        ApiBearerAuth(BEARER_SCHEME),
        ...(policy.apiKeyScopes.length > 0 ? [ApiSecurity(API_KEY_SCHEME)] : []),
      ];
  }
}

/** The policy a route declared, with its controller's as the default. */
export function declaredAccess(handler: object, controller: object): AccessPolicy | undefined {
  return (
    (Reflect.getMetadata(ACCESS_POLICY_KEY, handler) as AccessPolicy | undefined) ??
    (Reflect.getMetadata(ACCESS_POLICY_KEY, controller) as AccessPolicy | undefined)
  );
}
