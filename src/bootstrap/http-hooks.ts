import type { FastifyInstance } from 'fastify';
import { auditEntryFor, isMutating } from '../common/audit/audit-context.js';
import type { AuditService } from '../common/audit/audit.service.js';
import type { MetricsService } from '../common/metrics/metrics.service.js';
import { REQUEST_ID_HEADER } from '../common/observability/request-id.js';

interface HookServices {
  metrics: MetricsService;
  audit: AuditService;
}

/**
 * Fastify-level parts of the request pipeline: request-id echo, JSON-only bodies, metrics and
 * the audit record. Errors Fastify raises itself (body parsing, size, content type) reach the
 * global AllExceptionsFilter through the error handler Nest installs.
 */
export function registerHttpHooks(fastify: FastifyInstance, services: HookServices): void {
  fastify.removeContentTypeParser('text/plain');

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    services.metrics.observeHttpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (isMutating(request.method) && request.routeOptions.url) {
      services.audit.record(auditEntryFor(request, reply));
    }
    done();
  });
}
