import type { Session } from '../session.entity.js';

export class SessionDto {
  id!: string;
  /** The school this session is scoped to */
  tenant_id!: string | null;
  /** @example Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) */
  user_agent!: string | null;
  /** @example 203.0.113.7 */
  ip!: string | null;
  created_at!: string;
  last_used_at!: string;
  expires_at!: string;
  /** The session of the token making this call */
  current!: boolean;
}

export function mapSession(session: Session, currentSessionId?: string): SessionDto {
  return {
    id: session.id,
    tenant_id: session.tenantId,
    user_agent: session.userAgent,
    ip: session.ip,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    current: session.id === currentSessionId,
  };
}
