import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const LICENSE_ERROR_CODES = {
  LICENSE_NOT_FOUND_OR_EXPIRED: {
    status: HttpStatus.NOT_FOUND,
    message: 'No live license of your school has this id (missing, expired or revoked)',
  },
  LICENSE_NO_SEATS_AVAILABLE: {
    status: HttpStatus.CONFLICT,
    message: 'Not enough free seats on this license; details.missing says how many more are needed',
  },
  LICENSE_OVER_ALLOCATED: {
    status: HttpStatus.CONFLICT,
    message:
      'This license holds more seats than it has; free seats or buy more before assigning new ones',
  },
  LICENSE_SEAT_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'This person holds no seat on this license',
  },
  LICENSE_STUDENT_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'Some of these people are not active members of the school (details.user_ids)',
  },
  LICENSE_SEATS_FOR_STUDENTS_ONLY: {
    status: HttpStatus.CONFLICT,
    message: 'Only students take seats; teachers and admins never need one (details.user_ids)',
  },
  LICENSE_MANAGED_BY_STRIPE: {
    status: HttpStatus.CONFLICT,
    message:
      "This license follows a Stripe subscription: change the subscription's seats or term instead",
  },
  LICENSE_SEAT_REQUIRED: {
    status: HttpStatus.FORBIDDEN,
    message:
      "This needs a seat on your school's license. Ask your teacher or school admin to assign you one.",
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type LicenseErrorCodes = typeof LICENSE_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends LicenseErrorCodes {}
}
