import { SetMetadata } from '@nestjs/common';

export const OPTIONAL_AUTH_KEY = 'auth:optional';

/** On a `@Public()` route: a bearer token, when sent, is still checked and names the caller. */
export const OptionalAuth = (): MethodDecorator => SetMetadata(OPTIONAL_AUTH_KEY, true);
