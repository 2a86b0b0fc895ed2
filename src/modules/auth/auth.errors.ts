import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const AUTH_ERROR_CODES = {
  AUTH_UNAUTHENTICATED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'Sign in first: send an access token as "Authorization: Bearer <token>"',
  },
  AUTH_INVALID_CREDENTIALS: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'Invalid email or password',
  },
  AUTH_ACCOUNT_LOCKED: {
    status: HttpStatus.LOCKED,
    message: 'The account is locked after too many failed sign-ins',
  },
  AUTH_ACCOUNT_DISABLED: { status: HttpStatus.FORBIDDEN, message: 'The account is disabled' },
  AUTH_EMAIL_NOT_VERIFIED: {
    status: HttpStatus.FORBIDDEN,
    message: 'Verify your email address first (see the mail we sent you)',
  },
  AUTH_TENANT_INACTIVE: {
    status: HttpStatus.FORBIDDEN,
    message: 'The school of this account is not active',
  },
  AUTH_NOT_A_MEMBER: {
    status: HttpStatus.FORBIDDEN,
    message: 'You are not a member of this school',
  },
  AUTH_FORBIDDEN: {
    status: HttpStatus.FORBIDDEN,
    message: 'Your role does not allow this',
  },
  AUTH_TOKEN_INVALID: { status: HttpStatus.UNAUTHORIZED, message: 'The access token is invalid' },
  AUTH_TOKEN_EXPIRED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The access token has expired: refresh it',
  },
  AUTH_SESSION_REVOKED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'This session has ended: sign in again',
  },
  AUTH_REFRESH_TOKEN_INVALID: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The refresh token is invalid or expired: sign in again',
  },
  AUTH_REFRESH_TOKEN_REUSED: {
    status: HttpStatus.UNAUTHORIZED,
    message:
      'This refresh token was already used, so it may have been stolen: the session is ended, sign in again',
  },
  AUTH_ONE_TIME_TOKEN_INVALID: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The link is invalid, expired or already used: request a new one',
  },
  AUTH_OAUTH_CODE_INVALID: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The sign-in code is invalid, expired or already used: sign in again',
  },
  AUTH_SESSION_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'Session not found' },
  AUTH_PASSWORD_CHANGE_REQUIRED: {
    status: HttpStatus.FORBIDDEN,
    message: 'Choose a new password first (POST /api/v1/users/me/password)',
  },
  AUTH_IMPERSONATION_FORBIDDEN: {
    status: HttpStatus.FORBIDDEN,
    message: 'Not allowed while acting as another user',
  },
  AUTH_CANNOT_IMPERSONATE: {
    status: HttpStatus.FORBIDDEN,
    message: 'You may not act as this user',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

export type AuthErrorCode = keyof typeof AUTH_ERROR_CODES;

type AuthErrorCodes = typeof AUTH_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends AuthErrorCodes {}
}
