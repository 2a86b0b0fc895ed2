import { findErrorCode, type AppErrorCode } from './error-codes.js';

export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>> | null;

/**
 * The one exception modules throw. The code decides the HTTP status (see error-codes.ts); an
 * unknown code does not compile, and one declared but never registered fails here at run time.
 * `details` is public and goes into the envelope, so never put secrets in it.
 */
export class AppException extends Error {
  readonly status: number;

  constructor(
    readonly code: AppErrorCode,
    message?: string,
    readonly details: ErrorDetails = null,
    readonly headers: Record<string, string> = {},
  ) {
    const definition = findErrorCode(code);
    if (!definition) {
      throw new Error(`Unknown error code ${code}: register it with registerErrorCodes()`);
    }
    super(message ?? definition.message);
    this.name = 'AppException';
    this.status = definition.status;
  }
}
