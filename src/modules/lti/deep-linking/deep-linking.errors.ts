import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../../common/errors/error-codes.js';

/** Refusals of a deep-linking response (POST /api/v1/lti/deep-linking/:launchId/response). */
export const LTI_DEEP_LINKING_ERROR_CODES = {
  LTI_DEEP_LINKING_LAUNCH_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'You made no deep-linking launch with this id',
  },
  LTI_DEEP_LINKING_NOT_INSTRUCTOR: {
    status: HttpStatus.FORBIDDEN,
    message: 'Only a teacher or admin of the course may choose content for the LMS',
  },
  LTI_DEEP_LINKING_EXPIRED: {
    status: HttpStatus.GONE,
    message: 'This deep-linking launch is more than an hour old: start it again from the LMS',
  },
  LTI_DEEP_LINKING_ANSWERED: {
    status: HttpStatus.CONFLICT,
    message: 'This deep-linking launch was answered already',
  },
  LTI_DEEP_LINKING_CHOICE_MISSING: {
    status: HttpStatus.BAD_REQUEST,
    message: 'Send either items (at least one) or cancel: true, not both',
  },
  LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED: {
    status: HttpStatus.BAD_REQUEST,
    message: 'The LMS does not accept this content here (details.index, details.reason)',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

export type LtiDeepLinkingErrorCode = keyof typeof LTI_DEEP_LINKING_ERROR_CODES;

type LtiDeepLinkingErrorCodes = typeof LTI_DEEP_LINKING_ERROR_CODES;

declare module '../../../common/errors/error-codes.js' {
  interface AppErrorCodes extends LtiDeepLinkingErrorCodes {}
}
