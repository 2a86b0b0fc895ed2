import 'fastify';
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
}

/** Who is calling. Set on the request by the authentication layer; absent for anonymous calls. */
export type Principal =
  | UserPrincipal
  | { kind: 'api_key'; apiKeyId: string; tenantId: string | null }
  | { kind: 'market'; marketKeyId: string }
  | { kind: 'system' };

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
