import { AppException } from '../common/errors/app.exception.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { auditEntryFor, isMutating } from '../common/audit/audit-context.js';
import type { AuditService } from '../common/audit/audit.service.js';
import type { MetricsService } from '../common/metrics/metrics.service.js';
import { requestContext } from '../common/observability/request-context.js';
import { keepValidForwardedFor } from '../common/http/client-ip.js';
import { redactUrl } from '../common/observability/log-redaction.js';
import { REQUEST_ID_HEADER } from '../common/observability/request-id.js';

interface HookServices {
  metrics: MetricsService;
  audit: AuditService;
  logger: Logger;
  securityHeaders: Record<string, string>;
  /** TRUST_PROXY is on: X-Forwarded-For is read, so it is cleaned first. */
  trustProxy: boolean;
}

// Probes and scrapers would drown the request log.
const QUIET_PATHS = /^\/(health|metrics)(\/|$|\?)/;

/**
 * Fastify-level parts of the request pipeline: request id, security headers, the request's
 * logging context, JSON-only bodies, the request log line, metrics and the audit record.
 * Errors Fastify raises itself (body parsing, size, content type) reach the global
 * AllExceptionsFilter through the error handler Nest installs.
 */
export function registerHttpHooks(fastify: FastifyInstance, services: HookServices): void {
  fastify.removeContentTypeParser('text/plain');
  installJsonParser(fastify);

  fastify.addHook('onRequest', (request, reply, done) => {
    if (services.trustProxy) {
      // Before anything reads request.ip (throttling, audit, sessions, logs).
      keepValidForwardedFor(request.raw);
    }
    void reply.headers(services.securityHeaders).header(REQUEST_ID_HEADER, request.id);
    // Everything this request logs, from any Nest logger, carries its request_id.
    requestContext.run({ requestId: String(request.id) }, done);
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    services.metrics.observeHttpRequest(request.method, route, reply.statusCode, seconds);
    if (isMutating(request.method) && request.routeOptions.url) {
      services.audit.record(auditEntryFor(request, reply));
    }
    if (!QUIET_PATHS.test(request.url)) {
      logCompleted(services.logger, request, reply.statusCode, reply.elapsedTime);
    }
    done();
  });
}

function logCompleted(
  logger: Logger,
  request: FastifyRequest,
  statusCode: number,
  elapsedMs: number,
): void {
  // onResponse runs outside the request's async context: the id is passed explicitly.
  logger.info(
    {
      request_id: request.id,
      req: { method: request.method, url: redactUrl(request.url), remote_address: request.ip },
      res: { status_code: statusCode },
      response_time_ms: Math.round(elapsedMs * 10) / 10,
    },
    'request completed',
  );
}

/**
 * Fastify's JSON parser (prototype poisoning refused), plus one rule: no NUL characters, which
 * PostgreSQL cannot store in text and which no legitimate field needs.
 */
function installJsonParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if ((body as string).includes('\\u0000')) {
      done(
        new AppException('COMMON_BAD_REQUEST', 'Text may not contain NUL characters'),
        undefined,
      );
      return;
    }
    void parseJson(request, body as string, done);
  });
}
