// Type-checked by `npm run typecheck` and `npm run lint`, never built or run: each
// `@ts-expect-error` fails the check if the line below it ever compiles.
import { AppException } from '../../src/common/errors/app.exception.js';
import { ApiErrors } from '../../src/common/errors/api-errors.decorator.js';

export const knownCodes = [
  new AppException('CLASS_NOT_FOUND'),
  new AppException('COMMON_VALIDATION_FAILED'),
  new AppException('AUTH_ACCOUNT_LOCKED', undefined, { locked_until: 'x' }),
];

// @ts-expect-error a misspelt code is not an error code
export const misspelt = new AppException('CLASS_NOT_FUOND');

// @ts-expect-error a code is a declared literal, not any string
export const anyString = (code: string) => new AppException(code);

export class DocumentedController {
  // @ts-expect-error routes document only declared codes
  @ApiErrors('CLASS_NOT_FUOND')
  misspelt(): void {}

  @ApiErrors('CLASS_NOT_FOUND', 'USER_EMAIL_ALREADY_EXISTS')
  known(): void {}
}
