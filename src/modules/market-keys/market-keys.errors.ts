import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const MARKET_KEY_ERROR_CODES = {
  MARKET_API_KEY_INVALID: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'Send a valid Service Market key as "X-Market-API-Key: <key>"',
  },
  MARKET_ACCESS_FORBIDDEN: {
    status: HttpStatus.FORBIDDEN,
    message: 'Only the Service Market (X-Market-API-Key) or a super admin may call /mt routes',
  },
  MARKET_KEY_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'Market key not found' },
} as const satisfies Record<string, ErrorCodeDefinition>;

type MarketKeyErrorCodes = typeof MARKET_KEY_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends MarketKeyErrorCodes {}
}
