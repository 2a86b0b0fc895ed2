import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const IDENTITY_ERROR_CODES = {
  AUTH_PROVIDER_DISABLED: {
    status: HttpStatus.NOT_FOUND,
    message: 'This sign-in provider is not enabled on this server',
  },
  AUTH_REDIRECT_NOT_ALLOWED: {
    status: HttpStatus.BAD_REQUEST,
    message: '`redirect` must be a path on the web app (FRONTEND_URL)',
  },
  AUTH_OAUTH_STATE_INVALID: {
    status: HttpStatus.BAD_REQUEST,
    message: 'This sign-in attempt is invalid or has expired: start again',
  },
  AUTH_OAUTH_DENIED: {
    status: HttpStatus.UNAUTHORIZED,
    message: 'The sign-in was cancelled at the provider',
  },
  AUTH_OAUTH_PROVIDER_ERROR: {
    status: HttpStatus.BAD_GATEWAY,
    message: 'The provider could not complete the sign-in: try again',
  },
  AUTH_OAUTH_TOKEN_EXCHANGE_FAILED: {
    status: HttpStatus.BAD_GATEWAY,
    message: 'The provider did not accept the sign-in code (token exchange failed): try again',
  },
  AUTH_OAUTH_PROFILE_UNREADABLE: {
    status: HttpStatus.BAD_GATEWAY,
    message: "The provider's profile could not be read: try again",
  },
  AUTH_OAUTH_ID_TOKEN_INVALID: {
    status: HttpStatus.BAD_GATEWAY,
    message: "The provider's ID token could not be verified: try again",
  },
  AUTH_OAUTH_EMAIL_NOT_VERIFIED: {
    status: HttpStatus.FORBIDDEN,
    message:
      'An account with this email already exists and the provider has not verified the address: sign in with your password, then link the provider from your profile',
  },
  AUTH_OAUTH_EMAIL_MISSING: {
    status: HttpStatus.FORBIDDEN,
    message: 'The provider did not share a verified email address, so no account can be created',
  },
  AUTH_IDENTITY_IN_USE: {
    status: HttpStatus.CONFLICT,
    message: 'This provider account is already linked to another user',
  },
  AUTH_IDENTITY_ALREADY_LINKED: {
    status: HttpStatus.CONFLICT,
    message: 'Another account of this provider is already linked to this user: unlink it first',
  },
  AUTH_IDENTITY_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'No account of this provider is linked',
  },
  AUTH_LAST_SIGN_IN_METHOD: {
    status: HttpStatus.CONFLICT,
    message:
      'This is your only way to sign in: set a password first ("forgot password" mails you a link)',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

export type IdentityErrorCode = keyof typeof IDENTITY_ERROR_CODES;

type IdentityErrorCodes = typeof IDENTITY_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends IdentityErrorCodes {}
}

/** A code's message naming the provider ("the provider" → "Kakao"), for the landing page. */
export function providerMessage(code: IdentityErrorCode, displayName: string): string {
  return IDENTITY_ERROR_CODES[code].message
    .replace(/\bthe provider\b/g, displayName)
    .replace(/^The provider\b/, displayName);
}
