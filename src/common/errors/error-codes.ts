import { HttpStatus } from '@nestjs/common';

export interface ErrorCodeDefinition {
  status: HttpStatus;
  message: string;
}

/** The codes the framework-level pipeline raises; every module may throw them too. */
export const COMMON_ERROR_CODES = {
  COMMON_VALIDATION_FAILED: {
    status: HttpStatus.BAD_REQUEST,
    message: 'Request validation failed',
  },
  COMMON_BAD_REQUEST: { status: HttpStatus.BAD_REQUEST, message: 'Bad request' },
  COMMON_MALFORMED_JSON: {
    status: HttpStatus.BAD_REQUEST,
    message: 'Request body is not valid JSON',
  },
  COMMON_INVALID_CHARACTERS: {
    status: HttpStatus.BAD_REQUEST,
    message: 'Text may not contain NUL characters or unpaired UTF-16 surrogates',
  },
  COMMON_JSON_TOO_DEEP: {
    status: HttpStatus.BAD_REQUEST,
    message: 'Request body nests objects and arrays too deeply',
  },
  COMMON_UNAUTHORIZED: { status: HttpStatus.UNAUTHORIZED, message: 'Authentication required' },
  COMMON_FORBIDDEN: { status: HttpStatus.FORBIDDEN, message: 'You are not allowed to do this' },
  COMMON_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'Resource not found' },
  COMMON_METHOD_NOT_ALLOWED: {
    status: HttpStatus.METHOD_NOT_ALLOWED,
    message: 'Method not allowed',
  },
  COMMON_CONFLICT: { status: HttpStatus.CONFLICT, message: 'Conflict with the current state' },
  COMMON_REQUEST_TIMEOUT: {
    status: HttpStatus.REQUEST_TIMEOUT,
    message: 'The request took too long to arrive',
  },
  COMMON_PAYLOAD_TOO_LARGE: {
    status: HttpStatus.PAYLOAD_TOO_LARGE,
    message: 'Request body is too large',
  },
  COMMON_URI_TOO_LONG: {
    status: HttpStatus.URI_TOO_LONG,
    message: 'A path parameter is too long',
  },
  COMMON_UNSUPPORTED_MEDIA_TYPE: {
    status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    message: 'Unsupported content type',
  },
  COMMON_RATE_LIMITED: { status: HttpStatus.TOO_MANY_REQUESTS, message: 'Too many requests' },
  COMMON_HEADERS_TOO_LARGE: {
    // Nest's HttpStatus has no name for 431.
    status: 431 as HttpStatus,
    message: 'Request headers are too large',
  },
  COMMON_INTERNAL_ERROR: {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    message: 'An unexpected error occurred',
  },
  COMMON_SERVICE_UNAVAILABLE: {
    status: HttpStatus.SERVICE_UNAVAILABLE,
    message: 'Service temporarily unavailable',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

export type CommonErrorCode = keyof typeof COMMON_ERROR_CODES;

type CommonErrorCodes = typeof COMMON_ERROR_CODES;

/**
 * Every code the API knows, as a type. Each module's `*.errors.ts` adds its own by declaration
 * merging (`declare module '.../error-codes.js' { interface AppErrorCodes extends ... {} }`), so
 * a code no errors file declares does not compile, and two files declaring one code clash.
 */
export interface AppErrorCodes extends CommonErrorCodes {}

export type AppErrorCode = keyof AppErrorCodes;

/**
 * The runtime registry, so one filter can map every code to a status and a message. Each module
 * registers its codes from its module file; a unit test that throws a module's codes without
 * the Nest container registers them itself (`registerErrorCodes(CLASS_ERROR_CODES)`).
 */
const registry = new Map<string, ErrorCodeDefinition>(Object.entries(COMMON_ERROR_CODES));

export function registerErrorCodes(codes: Record<string, ErrorCodeDefinition>): void {
  for (const [code, definition] of Object.entries(codes)) {
    const existing = registry.get(code);
    if (existing && existing.status !== definition.status) {
      throw new Error(`Error code ${code} is already registered with status ${existing.status}`);
    }
    registry.set(code, definition);
  }
}

export function findErrorCode(code: string): ErrorCodeDefinition | undefined {
  return registry.get(code);
}

/** Every registered code with its definition (the OpenAPI document and its tests read them). */
export function registeredErrorCodes(): ReadonlyMap<string, ErrorCodeDefinition> {
  return registry;
}

/** The code the filter uses for an HTTP status that carries no code of its own. */
export function codeForStatus(status: number): CommonErrorCode {
  switch (status) {
    case 400:
      return 'COMMON_BAD_REQUEST';
    case 401:
      return 'COMMON_UNAUTHORIZED';
    case 403:
      return 'COMMON_FORBIDDEN';
    case 404:
      return 'COMMON_NOT_FOUND';
    case 405:
      return 'COMMON_METHOD_NOT_ALLOWED';
    case 408:
      return 'COMMON_REQUEST_TIMEOUT';
    case 409:
      return 'COMMON_CONFLICT';
    case 413:
      return 'COMMON_PAYLOAD_TOO_LARGE';
    case 414:
      return 'COMMON_URI_TOO_LONG';
    case 415:
      return 'COMMON_UNSUPPORTED_MEDIA_TYPE';
    case 429:
      return 'COMMON_RATE_LIMITED';
    case 431:
      return 'COMMON_HEADERS_TOO_LARGE';
    case 503:
      return 'COMMON_SERVICE_UNAVAILABLE';
    default:
      return status >= 500 ? 'COMMON_INTERNAL_ERROR' : 'COMMON_BAD_REQUEST';
  }
}
