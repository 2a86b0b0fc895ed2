import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../../common/errors/error-codes.js';

export const LTI_PLATFORM_ERROR_CODES = {
  LTI_PLATFORM_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'No LMS registration of your school has this id',
  },
  LTI_PLATFORM_EXISTS: {
    status: HttpStatus.CONFLICT,
    message: 'This issuer and client_id are registered already (each belongs to one school)',
  },
  LTI_PLATFORM_NOT_AWAITING_APPROVAL: {
    status: HttpStatus.CONFLICT,
    message: 'Only a registration made by Dynamic Registration awaits approval',
  },
  LTI_DEPLOYMENT_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'This registration has no such deployment',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type LtiPlatformErrorCodes = typeof LTI_PLATFORM_ERROR_CODES;

declare module '../../../common/errors/error-codes.js' {
  interface AppErrorCodes extends LtiPlatformErrorCodes {}
}
