import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const CLASS_ERROR_CODES = {
  CLASS_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'Class not found' },
  CLASS_JOIN_CODE_INVALID: {
    status: HttpStatus.NOT_FOUND,
    message: 'No open class of your school has this join code',
  },
  CLASS_MEMBER_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'This person is not a member of the class',
  },
  CLASS_MEMBER_USER_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'No active member of the school has this id',
  },
  CLASS_MEMBER_EXISTS: {
    status: HttpStatus.CONFLICT,
    message: 'This person is already a member of the class',
  },
  CLASS_MEMBER_ROLE_NOT_ALLOWED: {
    status: HttpStatus.CONFLICT,
    message: 'Only teachers and admins of the school can teach or assist a class',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type ClassErrorCodes = typeof CLASS_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends ClassErrorCodes {}
}
