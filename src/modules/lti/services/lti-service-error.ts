import { AppException } from '../../../common/errors/app.exception.js';

export type LtiServiceFailure = 'token_refused' | 'refused' | 'unavailable' | 'unreachable';

/**
 * A call to an LMS service that did not succeed, with what the LMS said (kept for admins,
 * bounded). `retryable`: a 5xx, a 429 or no answer; a 4xx will fail the same way again.
 */
export class LtiServiceError extends Error {
  constructor(
    readonly failure: LtiServiceFailure,
    readonly status: number | null,
    readonly platformMessage: string | null,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(
      `LTI service call ${failure}${status === null ? '' : ` (HTTP ${status})`}${
        platformMessage ? `: ${platformMessage}` : ''
      }`,
    );
    this.name = 'LtiServiceError';
  }

  get retryable(): boolean {
    return this.failure === 'unavailable' || this.failure === 'unreachable';
  }

  /** The error envelope an API route answers with. */
  toAppException(): AppException {
    const details = { platform_status: this.status, platform_message: this.platformMessage };
    switch (this.failure) {
      case 'token_refused':
        return new AppException('LTI_TOKEN_REFUSED', undefined, details);
      case 'unreachable':
        return new AppException('LTI_PLATFORM_UNREACHABLE', undefined, details);
      case 'refused':
      case 'unavailable':
        return new AppException('LTI_PLATFORM_ERROR', undefined, details);
    }
  }
}

/** What an LMS said in an error body: OAuth's error_description, a message field, or text. */
export function platformMessageOf(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) {
    return null;
  }
  try {
    const body = JSON.parse(trimmed) as Record<string, unknown>;
    const nested = body.errors as { message?: unknown } | undefined;
    for (const value of [
      body.error_description,
      body.message,
      body.reason,
      nested?.message,
      body.error,
    ]) {
      if (typeof value === 'string' && value) {
        return value.slice(0, 500);
      }
    }
  } catch {
    // not JSON: the text itself
  }
  return trimmed.slice(0, 500);
}
