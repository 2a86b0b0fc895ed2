import { AppException } from '../common/errors/app.exception.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { auditEntryFor, isMutating } from '../common/audit/audit-context.js';
import type { AuditService } from '../common/audit/audit.service.js';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from '../common/http/hostile-input.js';
import type { MetricsService } from '../common/metrics/metrics.service.js';
import { requestContext, type RequestClient } from '../common/observability/request-context.js';
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
 * logging context, JSON-only bodies no deeper than MAX_JSON_DEPTH, the request log line, metrics
 * and the audit record.
 * Errors Fastify raises itself (body parsing, size, content type) reach the global
 * AllExceptionsFilter through the error handler Nest installs.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body as received, before parsing. */
    rawBody?: string;
  }
}

export function registerHttpHooks(fastify: FastifyInstance, services: HookServices): void {
  fastify.removeContentTypeParser('text/plain');
  installJsonParser(fastify);
  installFormParser(fastify);

  fastify.addHook('onRequest', (request, reply, done) => {
    if (services.trustProxy) {
      // Before anything reads request.ip (throttling, audit, sessions, logs).
      keepValidForwardedFor(request.raw);
    }
    void reply.headers(services.securityHeaders).header(REQUEST_ID_HEADER, request.id);
    // Everything this request logs, from any Nest logger, carries its request_id.
    requestContext.run({ requestId: String(request.id), client: () => clientOf(request) }, done);
  });

  fastify.addHook('preSerialization', (request, _reply, payload, done) => {
    if (request.auditRoute) {
      request.auditAnswer = payload;
    }
    done(null, payload);
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    services.metrics.observeHttpRequest(request.method, route, reply.statusCode, seconds);
    if (isMutating(request.method) && request.routeOptions.url && !request.auditSkipped) {
      services.audit.record(auditEntryFor(request, reply));
    }
    if (!QUIET_PATHS.test(request.url)) {
      logCompleted(services.logger, request, reply.statusCode, reply.elapsedTime);
    }
    done();
  });
}

function clientOf(request: FastifyRequest): RequestClient {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : null };
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
 * Fastify's JSON parser (prototype poisoning refused), plus one rule: no nesting deeper than
 * MAX_JSON_DEPTH, checked on the text before it is parsed (validation walks the body
 * recursively, and a 5,000-level body overflowed its stack).
 */
function installJsonParser(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string, MAX_JSON_DEPTH)) {
      done(new AppException('COMMON_JSON_TOO_DEEP', undefined, { max_depth: MAX_JSON_DEPTH }));
      return;
    }
    // Signed bodies (the Stripe webhook) are verified against the exact text received.
    request.rawBody = body as string;
    void parseJson(request, body as string, done);
  });
}

/** Where browsers post HTML forms: LMS launches (form_post) and nowhere else in the API. */
const FORM_PATHS = '/lti/';

/**
 * `application/x-www-form-urlencoded`, for the LTI launch only: every other route keeps
 * refusing a form (415), so no cross-site form can reach the JSON API without a preflight.
 */
function installFormParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (request, body, done) => {
      if (!request.url.startsWith(FORM_PATHS)) {
        done(new AppException('COMMON_UNSUPPORTED_MEDIA_TYPE'), undefined);
        return;
      }
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
}
