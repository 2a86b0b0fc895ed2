import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const USER_ERROR_CODES = {
  USER_EMAIL_ALREADY_EXISTS: {
    status: HttpStatus.CONFLICT,
    message: 'An account with this email address already exists',
  },
  USER_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'User not found' },
  USER_USERNAME_TAKEN: {
    status: HttpStatus.CONFLICT,
    message: 'This username is already used in the tenant',
  },
  USER_ALREADY_MEMBER: {
    status: HttpStatus.CONFLICT,
    message: 'This person is already a member of the tenant',
  },
  USER_ACCOUNT_SELF_MANAGED: {
    status: HttpStatus.FORBIDDEN,
    message:
      'This account is managed by its owner: a school cannot reset its password, act as it or change it',
  },
  USER_ACCOUNT_MANAGED_ELSEWHERE: {
    status: HttpStatus.FORBIDDEN,
    message:
      'This account is not managed by your school (it was made by or also belongs to another one)',
  },
  USER_NOT_YOUR_PUPIL: {
    status: HttpStatus.FORBIDDEN,
    message:
      'Teachers reset only the passwords of school-managed pupils who have been in their classes for a day, or whom an admin put there',
  },
  USER_PASSWORD_INCORRECT: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The current password is not correct',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type UserErrorCodes = typeof USER_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends UserErrorCodes {}
}
