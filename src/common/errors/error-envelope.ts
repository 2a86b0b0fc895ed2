import { HttpException } from '@nestjs/common';
import { AppException, type ErrorDetails } from './app.exception.js';
import { codeForStatus, findErrorCode } from './error-codes.js';
import type { ErrorEnvelope } from './error-envelope.dto.js';

export interface ResolvedError {
  status: number;
  envelope: ErrorEnvelope;
  headers: Record<string, string>;
  /** Only unexpected failures (5xx) are logged with their stack. */
  unexpected: boolean;
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
}

/** Fastify's own errors (body parsing, content type, size) mapped to our codes. */
const FASTIFY_ERROR_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'COMMON_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'COMMON_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'COMMON_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'COMMON_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'COMMON_MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'COMMON_BAD_REQUEST',
  FST_ERR_CTP_INVALID_CHARSET: 'COMMON_UNSUPPORTED_MEDIA_TYPE',
  // The router's own refusals (see framework-errors.ts).
  FST_ERR_BAD_URL: 'COMMON_BAD_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'COMMON_URI_TOO_LONG',
};

export function resolveError(error: unknown, requestId: string): ResolvedError {
  const { code, status, message, details, headers } = classify(error);
  return {
    status,
    headers,
    unexpected: status >= 500,
    envelope: {
      error_code: code,
      message,
      details,
      timestamp: new Date().toISOString(),
      request_id: requestId,
    },
  };
}

interface Classified {
  code: string;
  status: number;
  message: string;
  details: ErrorDetails;
  headers: Record<string, string>;
}

function classify(error: unknown): Classified {
  if (error instanceof AppException) {
    return {
      code: error.code,
      status: error.status,
      message: error.message,
      details: error.details,
      headers: error.headers,
    };
  }
  const fastifyCode = fastifyErrorCode(error);
  if (fastifyCode) {
    return fromCode(fastifyCode);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = codeForStatus(status);
    // Nest's own 4xx messages ("Cannot POST /x") are safe and useful; 5xx internals are not.
    const message = status < 500 ? httpExceptionMessage(error) : undefined;
    return fromCode(code, message);
  }
  if (isSyntaxErrorFromBody(error)) {
    return fromCode('COMMON_MALFORMED_JSON');
  }
  const fastifyError = error as FastifyLikeError | undefined;
  if (
    typeof fastifyError?.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    return fromCode(codeForStatus(fastifyError.statusCode));
  }
  return fromCode('COMMON_INTERNAL_ERROR');
}

/** Nest wraps Fastify's 4xx errors in an HttpException whose cause is the original error. */
function fastifyErrorCode(error: unknown): string | undefined {
  const candidates = [error, error instanceof Error ? error.cause : undefined];
  for (const candidate of candidates) {
    const code = (candidate as FastifyLikeError | undefined)?.code;
    if (code && FASTIFY_ERROR_CODES[code]) {
      return FASTIFY_ERROR_CODES[code];
    }
  }
  return undefined;
}

function fromCode(code: string, message?: string): Classified {
  const definition = findErrorCode(code);
  return {
    code,
    status: definition?.status ?? 500,
    message: message ?? definition?.message ?? 'Error',
    details: null,
    headers: {},
  };
}

function httpExceptionMessage(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') {
    return response;
  }
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') {
    return message;
  }
  if (Array.isArray(message)) {
    return message.join('; ');
  }
  return error.message;
}

function isSyntaxErrorFromBody(error: unknown): boolean {
  return error instanceof SyntaxError && (error as FastifyLikeError).statusCode === 400;
}
