import { HttpStatus } from '@nestjs/common';
import type { ErrorCodeDefinition } from '../../common/errors/error-codes.js';

export const TENANT_ERROR_CODES = {
  TENANT_NOT_FOUND: {
    status: HttpStatus.NOT_FOUND,
    message: 'No such tenant: activate it first (POST /mt/tenant/{id}/activate)',
  },
  TENANT_USER_LIMIT_REACHED: {
    status: HttpStatus.CONFLICT,
    message: "The school has reached its plan's user limit (max_users)",
  },
  TENANT_MAX_USERS_BELOW_MEMBERS: {
    status: HttpStatus.CONFLICT,
    message: 'max_users cannot be set below the number of members the school has now',
  },
  TENANT_FEATURE_DISABLED: {
    status: HttpStatus.FORBIDDEN,
    message: "This feature is not enabled for the school's plan",
  },
  TENANT_GOOGLE_DOMAIN_TAKEN: {
    status: HttpStatus.CONFLICT,
    message: 'Another school already claims this Google Workspace domain',
  },
  TENANT_MICROSOFT_DOMAIN_TAKEN: {
    status: HttpStatus.CONFLICT,
    message: 'Another school already claims this Microsoft 365 domain',
  },
} as const satisfies Record<string, ErrorCodeDefinition>;

type TenantErrorCodes = typeof TENANT_ERROR_CODES;

declare module '../../common/errors/error-codes.js' {
  interface AppErrorCodes extends TenantErrorCodes {}
}
