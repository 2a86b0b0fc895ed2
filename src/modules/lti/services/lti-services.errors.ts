import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../../common/errors/error-codes.js';

/** LTI Advantage (roster, grades): the course's services and what the LMS answered. */
export const LTI_SERVICE_ERROR_CODES = {
  LTI_CONTEXT_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'This class was not made from an LMS course',
  },
  LTI_SERVICE_NOT_OFFERED: {
    status: HttpStatus.CONFLICT,
    message: 'The LMS has not offered this service for the course (no launch carried it)',
  },
  LTI_PLATFORM_ERROR: {
    status: HttpStatus.BAD_GATEWAY,
    message: 'The LMS refused or failed the call; its answer is in details',
  },
  LTI_PLATFORM_UNREACHABLE: {
    status: HttpStatus.BAD_GATEWAY,
    message: 'The LMS did not answer in time',
  },
  LTI_TOKEN_REFUSED: {
    status: HttpStatus.BAD_GATEWAY,
    message:
      "The LMS refused the tool's access token request (check the registration's token URL and client id)",
  },
  LTI_LINE_ITEM_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'This class has no such line item',
  },
  LTI_SCORE_NO_IDENTITY: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    message: 'This student has no account at this LMS (never launched or synced from its roster)',
  },
  LTI_SCORE_NOT_IN_CLASS: {
    status: HttpStatus.UNPROCESSABLE_ENTITY,
    message: 'This user is not a member of the class',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type LtiServiceErrorCodes = typeof LTI_SERVICE_ERROR_CODES;

declare module '../../../common/errors/error-codes.js' {
  interface AppErrorCodes extends LtiServiceErrorCodes {}
}
