import type { User } from './user.entity.js';

/** How the account came to be, beyond who it is (the `user.created` payload: who it is, plus how it came to be). */
export interface UserCreatedContext {
  role: string;
  tenantId?: string | null;
  provider?: string;
  createdBy?: string;
}

export function userCreatedEvent(user: User, context: UserCreatedContext) {
  return {
    type: 'user.created' as const,
    aggregateId: user.id,
    payload: {
      user_id: user.id,
      email: user.email,
      name: user.fullName,
      role: context.role,
      ...(context.tenantId !== undefined ? { tenant_id: context.tenantId } : {}),
      ...(context.provider ? { provider: context.provider } : {}),
      ...(context.createdBy ? { created_by: context.createdBy } : {}),
      created_at: user.createdAt.toISOString(),
    },
  };
}
