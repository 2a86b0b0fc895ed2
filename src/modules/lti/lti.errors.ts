import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

const launchRefused = (message: string): ErrorCodeDefinition => ({
  status: HttpStatus.BAD_REQUEST,
  message,
});

/** Refusals of an LTI login or launch, one per 1EdTech check (shown on a page, kept in the log). */
export const LTI_LAUNCH_ERROR_CODES = {
  LTI_LOGIN_INVALID: launchRefused(
    'The LMS sent an incomplete login request (iss, login_hint and target_link_uri are required)',
  ),
  LTI_UNKNOWN_ISSUER: launchRefused(
    'This LMS is not registered with DreamSeed: ask your school admin to add it',
  ),
  LTI_PLATFORM_NOT_ACTIVE: launchRefused(
    'This LMS registration is waiting for approval or turned off',
  ),
  LTI_TARGET_LINK_NOT_ALLOWED: launchRefused('The launch asked to open a page outside DreamSeed'),
  LTI_STATE_MISSING: launchRefused('The launch carried no state: start it again from the LMS'),
  LTI_STATE_UNKNOWN: launchRefused('This launch was not started here: start it again from the LMS'),
  LTI_STATE_EXPIRED: launchRefused('This launch took too long: start it again from the LMS'),
  LTI_STATE_USED: launchRefused('This launch was already used: start it again from the LMS'),
  LTI_STATE_OTHER_BROWSER: launchRefused('This launch was started in another browser'),
  LTI_ID_TOKEN_MISSING: launchRefused('The LMS sent no id_token'),
  LTI_ID_TOKEN_MALFORMED: launchRefused('The id_token is not a signed JWT'),
  LTI_ALG_NOT_ALLOWED: launchRefused('The id_token must be signed with RS256'),
  LTI_KID_MISSING: launchRefused('The id_token header names no key (kid)'),
  LTI_KEY_NOT_FOUND: launchRefused("The LMS's key set has no key with this kid"),
  LTI_KEY_TOO_WEAK: launchRefused("The LMS's signing key is shorter than 2048 bits"),
  LTI_JWKS_UNAVAILABLE: launchRefused("The LMS's key set could not be fetched"),
  LTI_SIGNATURE_INVALID: launchRefused('The id_token signature does not verify'),
  LTI_ISSUER_MISMATCH: launchRefused('The id_token comes from another issuer than the login'),
  LTI_AUDIENCE_MISMATCH: launchRefused('The id_token is not meant for this tool (aud)'),
  LTI_AZP_MISMATCH: launchRefused('The id_token names another authorized party (azp)'),
  LTI_TOKEN_EXPIRED: launchRefused('The id_token has expired'),
  LTI_TOKEN_NOT_YET_VALID: launchRefused(
    'The id_token is not valid yet (iat or nbf in the future)',
  ),
  LTI_NONCE_REPLAYED: launchRefused('This id_token was used before'),
  LTI_NONCE_MISMATCH: launchRefused('The id_token belongs to another login'),
  LTI_DEPLOYMENT_MISSING: launchRefused('The id_token names no deployment'),
  LTI_DEPLOYMENT_MISMATCH: launchRefused('The id_token names another deployment than the login'),
  LTI_DEPLOYMENT_PENDING: launchRefused(
    'This deployment of the LMS is new: your school admin must approve it in DreamSeed first',
  ),
  LTI_DEPLOYMENT_REFUSED: launchRefused('Your school refused this deployment of the LMS'),
  LTI_VERSION_UNSUPPORTED: launchRefused('Only LTI 1.3.0 launches are accepted'),
  LTI_MESSAGE_TYPE_UNSUPPORTED: launchRefused('This kind of LTI message is not supported'),
  LTI_CLAIM_MISSING: launchRefused('The launch lacks a required claim (details.claim)'),
  LTI_TENANT_INACTIVE: {
    status: HttpStatus.FORBIDDEN,
    message: 'Your school is not active on DreamSeed',
  },
  LTI_MEMBERSHIP_SUSPENDED: {
    status: HttpStatus.FORBIDDEN,
    message: 'Your access to this school on DreamSeed is suspended',
  },
  LTI_IDENTITY_OTHER_PLATFORM: {
    status: HttpStatus.FORBIDDEN,
    message: 'This LMS account is known through another LMS registration with other keys',
  },
  LTI_LINK_CODE_INVALID: {
    status: HttpStatus.NOT_FOUND,
    message: 'This link code is unknown, used or expired: launch from the LMS again',
  },
  LTI_REGISTRATION_LINK_INVALID: launchRefused(
    'This registration link is unknown, used or expired: ask your DreamSeed school admin for a new one',
  ),
  LTI_REGISTRATION_REQUEST_INVALID: launchRefused(
    'The LMS opened the registration without a valid openid_configuration URL',
  ),
  LTI_REGISTRATION_CONFIG_INVALID: {
    status: HttpStatus.BAD_GATEWAY,
    message: "The LMS's OpenID configuration could not be read or is incomplete (details.reason)",
  },
  LTI_REGISTRATION_REFUSED_BY_PLATFORM: {
    status: HttpStatus.BAD_GATEWAY,
    message: 'The LMS refused the registration (details.platform_status, details.platform_message)',
  },
  LTI_REGISTRATION_EXISTS: {
    status: HttpStatus.CONFLICT,
    message: 'This LMS client is already registered with DreamSeed',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

export type LtiLaunchErrorCode = keyof typeof LTI_LAUNCH_ERROR_CODES;

type LtiLaunchErrorCodes = typeof LTI_LAUNCH_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends LtiLaunchErrorCodes {}
}
