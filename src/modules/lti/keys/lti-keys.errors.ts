import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../../common/errors/error-codes.js';

export const LTI_KEY_ERROR_CODES = {
  LTI_TOOL_KEY_NOT_FOUND: { status: HttpStatus.NOT_FOUND, message: 'No LTI tool key has this kid' },
  LTI_TOOL_KEY_SIGNING: {
    status: HttpStatus.CONFLICT,
    message: 'This LTI tool key signs now: rotate first, then remove the old key',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type LtiKeyErrorCodes = typeof LTI_KEY_ERROR_CODES;

declare module '../../../common/errors/error-codes.js' {
  interface AppErrorCodes extends LtiKeyErrorCodes {}
}
