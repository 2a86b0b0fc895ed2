import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { resolveError } from '../errors/error-envelope.js';
import { REQUEST_ID_HEADER } from '../observability/request-id.js';

/**
 * The router's refusals (a path parameter over `maxParamLength` → 414, a malformed
 * percent-encoding → 400) happen before any hook or Nest's error handler; Fastify's own body
 * echoes the URL. This answers them with the envelope and the headers every response has.
 */
export function frameworkErrorHandler(securityHeaders: Record<string, string>) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const resolved = resolveError(error, String(request.id));
    void reply
      .status(resolved.status)
      .headers({ ...securityHeaders, ...resolved.headers, [REQUEST_ID_HEADER]: request.id })
      .send(resolved.envelope);
  };
}

/**
 * Node's HTTP parser refuses a request before Fastify sees it (headers over the size limit →
 * 431, a timeout → 408, anything malformed → 400); Fastify would write its own body on the
 * socket. This writes the envelope instead, with a fresh request id (there is no request).
 */
export function clientErrorHandler(securityHeaders: Record<string, string>) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    // A reset connection has nobody left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) {
      return;
    }
    const status = clientErrorStatus(error.code);
    if (socket.writable) {
      const requestId = randomUUID();
      const { envelope } = resolveError({ statusCode: status }, requestId);
      const body = JSON.stringify(envelope);
      const headers = {
        ...securityHeaders,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        [REQUEST_ID_HEADER]: requestId,
        connection: 'close',
      };
      const head = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${head}\r\n${body}`);
    }
    socket.destroy(error);
  };
}

/** Node's parser error codes with an answer of their own; anything else is a 400. */
const CLIENT_ERROR_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

function clientErrorStatus(code: string | undefined): number {
  return CLIENT_ERROR_STATUS[code ?? ''] ?? 400;
}
