import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactSecrets } from '../observability/log-redaction.js';
import type { AuditOutcome } from './audit-log.entity.js';
import type { AuditTarget } from './audit-target.js';
import type { AuditEntry } from './audit.service.js';
import type { AuditRouteOptions } from './audited.decorator.js';

declare module 'fastify' {
  interface FastifyRequest {
    auditRoute?: AuditRouteOptions;
    auditTarget?: AuditTarget;
    /** The answer of an audited route, before serialization (it names what was created). */
    auditAnswer?: unknown;
    /** The route keeps its own record (`@NotAudited`): no audit entry, no body captured. */
    auditSkipped?: boolean;
  }
}

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isMutating(method: string): boolean {
  return MUTATING_METHODS.has(method);
}

export function outcomeFor(statusCode: number): AuditOutcome {
  if (statusCode < 400) {
    return 'success';
  }
  if (statusCode === 401 || statusCode === 403) {
    return 'denied';
  }
  return statusCode >= 500 ? 'error' : 'failure';
}

/** `/api/v1/users/:id/unlock` -> `users`; `/mt/tenant/:id/activate` -> `tenant`. */
export function resourceFromRoute(route: string): string | null {
  const segments = route.split('/').filter((segment) => segment && !segment.startsWith(':'));
  const meaningful = segments.filter(
    (segment) => !['api', 'mt'].includes(segment) && !/^v\d+$/.test(segment),
  );
  return meaningful[0] ?? null;
}

/** Builds the audit entry of one finished mutating request. */
export function auditEntryFor(request: FastifyRequest, reply: FastifyReply): AuditEntry {
  const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  const declared = request.auditRoute;
  const params = (request.params ?? {}) as Record<string, string>;
  const principal = request.principal;
  const actor = actorOf(principal);
  const userAgent = request.headers['user-agent'];
  const noted = request.auditTarget;
  // Only a success describes what changed; an error envelope names nothing.
  const answer = reply.statusCode < 400 ? request.auditAnswer : undefined;
  return {
    ...actor,
    // The path's tenant only for a caller who proved who they are: an anonymous stranger
    // cannot write records into a school's trail by naming it.
    tenantId:
      noted?.tenantId ??
      (principal ? params.tenantId : undefined) ??
      stringField(answer, 'tenant_id') ??
      actor.tenantId ??
      null,
    action: declared?.action ?? `${request.method} ${route}`,
    resourceType: noted?.resourceType ?? declared?.resource ?? resourceFromRoute(route),
    resourceId:
      noted?.resourceId ??
      params[declared?.idParam ?? 'id'] ??
      (declared ? stringField(answer, declared.idField ?? 'id') : undefined) ??
      null,
    outcome: outcomeFor(reply.statusCode),
    statusCode: reply.statusCode,
    ip: request.ip,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    requestId: String(request.id),
    metadata: {
      method: request.method,
      route,
      params,
      body: summarizeBody(request.body),
    },
  };
}

/** The audit actor of a principal (an impersonated call names the real person in `onBehalfOf`). */
export function actorOf(
  principal: FastifyRequest['principal'],
): Pick<AuditEntry, 'actorType' | 'actorId' | 'onBehalfOf' | 'tenantId'> {
  switch (principal?.kind) {
    case 'user':
      return {
        actorType: 'user',
        actorId: principal.userId,
        onBehalfOf: principal.actorUserId ?? null,
        tenantId: principal.tenantId,
      };
    case 'api_key':
      return { actorType: 'api_key', actorId: principal.apiKeyId, tenantId: principal.tenantId };
    case 'market':
      return { actorType: 'market', actorId: principal.marketKeyId };
    case 'system':
      return { actorType: 'system' };
    case undefined:
      return { actorType: 'anonymous' };
  }
}

function stringField(value: unknown, field: string): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const found = (value as Record<string, unknown>)[field];
  return typeof found === 'string' ? found : undefined;
}

function summarizeBody(body: unknown): unknown {
  if (body === undefined || body === null) {
    return null;
  }
  if (typeof body !== 'object') {
    return { type: typeof body };
  }
  return redactSecrets(body);
}
