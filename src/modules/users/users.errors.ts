import { HttpStatus } from '@nestjs/common';
import { registerErrorCodes } from '../../common/errors/error-codes.js';

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
  USER_PASSWORD_INCORRECT: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The current password is not correct',
  },
} as const;

registerErrorCodes(USER_ERROR_CODES);
