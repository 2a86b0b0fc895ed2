import type { TenantFeature } from '../../modules/tenants/tenant-settings.js';
import type { ApiKeyScope } from './api-key-scopes.js';
import type { Principal, UserPrincipal } from './principal.js';
import { hasRole, type RequiredRole } from './roles.js';
import type { AppErrorCode } from '../errors/error-codes.js';

/**
 * Who may call a route: exactly one of three kinds, so no flag of one kind can change another.
 * - `public`: anyone.
 * - `market`: the Service Market's key, or a super admin's own bearer token.
 * - `signed_in`: a signed-in user, or (only where `apiKeyScopes` is not empty) an API key.
 */
export type AccessPolicy = PublicAccess | MarketAccess | SignedInAccess;

export interface PublicAccess {
  kind: 'public';
  /** A bearer token, when sent, is still verified and names the caller (401 when it is bad). */
  optionalAuth: boolean;
}

export interface MarketAccess {
  kind: 'market';
  /** The Service Market's old paths sent its key as `X-API-Key`: accept that header too. */
  legacyHeader: boolean;
}

/**
 * The caller authenticates with `Authorization: Bearer` (a user) or, when no such header is sent,
 * with `X-API-Key` (a key). Users and keys are checked against separate fields: `roles`,
 * `impersonation` and `pendingPasswordChange` bind users only; `apiKeyScopes` (plus the tenant's
 * `api_integration` feature) binds keys only. `feature` binds both.
 */
export interface SignedInAccess {
  kind: 'signed_in';
  /** One of these roles in the active tenant, or a platform role; empty: any signed-in user. */
  roles: RequiredRole[];
  /** API keys holding one of these scopes are accepted too; empty: API keys are refused. */
  apiKeyScopes: ApiKeyScope[];
  /** The caller's tenant must have this plan feature on. */
  feature?: TenantFeature;
  /** `refused`: support staff acting as someone else get 403 (passwords, keys, sessions). */
  impersonation: 'allowed' | 'refused';
  /** `allowed`: reachable while the user must still replace a temporary password. */
  pendingPasswordChange: 'allowed' | 'refused';
}

/** Marks public operations in the OpenAPI document (setup-swagger.ts turns it into `security: []`). */
export const PUBLIC_EXTENSION = 'x-public';

/** What a token check can answer, wherever a bearer token is read. */
const TOKEN_ERRORS: AppErrorCode[] = [
  'AUTH_TOKEN_INVALID',
  'AUTH_TOKEN_EXPIRED',
  'AUTH_SESSION_REVOKED',
  'AUTH_ACCOUNT_DISABLED',
  'AUTH_TENANT_INACTIVE',
  'AUTH_NOT_A_MEMBER',
];

/** Every error code the access guard can answer with for this policy (for the OpenAPI document). */
export function accessErrorCodes(policy: AccessPolicy): AppErrorCode[] {
  const when = (condition: boolean, ...codes: AppErrorCode[]): AppErrorCode[] =>
    condition ? codes : [];
  switch (policy.kind) {
    case 'public':
      return policy.optionalAuth ? TOKEN_ERRORS : [];
    case 'market':
      return [
        'MARKET_API_KEY_INVALID',
        'MARKET_ACCESS_FORBIDDEN',
        'COMMON_RATE_LIMITED',
        ...TOKEN_ERRORS,
      ];
    case 'signed_in':
      return [
        'AUTH_UNAUTHENTICATED',
        ...TOKEN_ERRORS,
        ...when(policy.pendingPasswordChange === 'refused', 'AUTH_PASSWORD_CHANGE_REQUIRED'),
        ...when(policy.impersonation === 'refused', 'AUTH_IMPERSONATION_FORBIDDEN'),
        ...when(policy.roles.length > 0, 'AUTH_FORBIDDEN'),
        // A key is authenticated before it is refused, so a wrong one is told so everywhere.
        'API_KEY_INVALID',
        'API_KEY_TENANT_INACTIVE',
        'COMMON_RATE_LIMITED',
        policy.apiKeyScopes.length > 0 ? 'API_KEY_SCOPE_MISSING' : 'API_KEY_NOT_ACCEPTED',
        // Keys work only while their tenant has `api_integration` on.
        ...when(
          Boolean(policy.feature) || policy.apiKeyScopes.length > 0,
          'TENANT_FEATURE_DISABLED',
        ),
      ];
  }
}

/** Why the guard refuses a caller: an error code and its public details. */
export interface Refusal {
  code: AppErrorCode;
  details?: Record<string, unknown>;
}

/** A signed-in user against the user half of the policy; the first unmet rule answers. */
export function userRefusal(policy: SignedInAccess, user: UserPrincipal): Refusal | undefined {
  if (user.passwordChangeRequired && policy.pendingPasswordChange === 'refused') {
    return { code: 'AUTH_PASSWORD_CHANGE_REQUIRED' };
  }
  if (user.actorUserId && policy.impersonation === 'refused') {
    return { code: 'AUTH_IMPERSONATION_FORBIDDEN' };
  }
  if (policy.roles.length > 0 && !hasRole(user, policy.roles)) {
    return { code: 'AUTH_FORBIDDEN', details: { required_roles: policy.roles } };
  }
  return undefined;
}

/** An authenticated API key against the key half of the policy. */
export function keyRefusal(policy: SignedInAccess, key: Principal): Refusal | undefined {
  if (policy.apiKeyScopes.length === 0) {
    return { code: 'API_KEY_NOT_ACCEPTED' };
  }
  const granted = key.kind === 'api_key' ? (key.scopes ?? []) : [];
  if (!policy.apiKeyScopes.some((scope) => granted.includes(scope))) {
    return { code: 'API_KEY_SCOPE_MISSING', details: { required_scopes: policy.apiKeyScopes } };
  }
  return undefined;
}
