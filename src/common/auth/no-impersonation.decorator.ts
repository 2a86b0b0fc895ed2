import { SetMetadata } from '@nestjs/common';

export const NO_IMPERSONATION_KEY = 'auth:noImpersonation';

/** Refused to support staff acting as someone else: passwords, emails, keys, more impersonation. */
export const NoImpersonation = (): MethodDecorator & ClassDecorator =>
  SetMetadata(NO_IMPERSONATION_KEY, true);
