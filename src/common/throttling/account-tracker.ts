import type { FastifyRequest } from 'fastify';

/**
 * IP + the account a credential route names (`email`, or `tenant_id` + `username`), so one
 * address cannot hammer one account while a school sharing that address is not locked out.
 */
export function accountTracker(req: Record<string, unknown>): Promise<string> {
  const request = req as unknown as FastifyRequest;
  const body = (request.body ?? {}) as Record<string, unknown>;
  // Normalised as the account lookup does, so changing the case does not buy a new budget.
  const account = (
    typeof body.email === 'string'
      ? body.email
      : [body.tenant_id, body.username].filter((part) => typeof part === 'string').join('/')
  )
    .trim()
    .toLowerCase();
  return Promise.resolve(`ip:${request.ip}|account:${account.slice(0, 320)}`);
}
