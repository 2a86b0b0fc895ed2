import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const API_KEY_ERROR_CODES = {
  API_KEY_INVALID: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The API key is unknown, revoked or expired',
  },
  API_KEY_TENANT_INACTIVE: {
    status: HttpStatus.FORBIDDEN,
    message: "The API key's school is deactivated: its keys work again once it is reactivated",
  },
  API_KEY_NOT_ACCEPTED: {
    status: HttpStatus.FORBIDDEN,
    message: 'This route does not accept API keys',
  },
  API_KEY_SCOPE_MISSING: {
    status: HttpStatus.FORBIDDEN,
    message: 'The API key lacks the scope this route needs',
  },
  API_KEY_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'API key not found' },
} as const satisfies Record<string, ErrorCodeDefinition>;

type ApiKeyErrorCodes = typeof API_KEY_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends ApiKeyErrorCodes {}
}
