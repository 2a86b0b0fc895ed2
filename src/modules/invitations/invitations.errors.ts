import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const INVITATION_ERROR_CODES = {
  INVITATION_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'Invitation not found' },
  INVITATION_INVALID: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The invitation is invalid, expired, revoked or already used',
  },
  INVITATION_SIGN_IN_REQUIRED: {
    status: HttpStatus.CONFLICT,
    message: 'An account with this email exists: sign in, then accept the invitation',
  },
  INVITATION_EMAIL_MISMATCH: {
    status: HttpStatus.FORBIDDEN,
    message: 'This invitation was sent to another email address',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type InvitationErrorCodes = typeof INVITATION_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends InvitationErrorCodes {}
}
