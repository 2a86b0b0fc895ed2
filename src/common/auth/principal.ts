import 'fastify';
import type { ApiKeyScope } from './api-key-scopes.js';
import type { PlatformRole, TenantRole } from './roles.js';

/** A signed-in person: the tenant and role come from the session, checked on every request. */
export interface UserPrincipal {
  kind: 'user';
  userId: string;
  tenantId: string | null;
  role?: TenantRole | null;
  platformRole?: PlatformRole | null;
  sessionId?: string;
  actorUserId?: string;
  /** An admin set a temporary password: only the routes that let the user replace it work. */
  passwordChangeRequired?: boolean;
}

/** Who is calling. Set on the request by the authentication layer; absent for anonymous calls. */
export type Principal =
  | UserPrincipal
  | { kind: 'api_key'; apiKeyId: string; tenantId: string | null; scopes?: ApiKeyScope[] }
  | { kind: 'market'; marketKeyId: string }
  | { kind: 'system' };

/**
 * Acts across every tenant: a super admin, a platform API key (one without a tenant), or the
 * Service Market (which only ever reaches the `/mt` routes).
 */
export function isPlatformWide(principal: Principal): boolean {
  return (
    (principal.kind === 'user' && principal.platformRole === 'super_admin') ||
    (principal.kind === 'api_key' && principal.tenantId === null) ||
    principal.kind === 'market'
  );
}

/** Who did it, for event payloads: the user id, else `api_key:<id>` or `market:<id>`. */
export function actorReference(principal: Principal): string | undefined {
  return principal.kind === 'user' ? principal.userId : principalKey(principal);
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** A stable identity for per-caller budgets: the user, key or market key, never a shared IP. */
export function principalKey(principal: Principal | undefined): string | undefined {
  switch (principal?.kind) {
    case 'user':
      return `user:${principal.userId}`;
    case 'api_key':
      return `api_key:${principal.apiKeyId}`;
    case 'market':
      return `market:${principal.marketKeyId}`;
    case 'system':
    case undefined:
      return undefined;
  }
}
