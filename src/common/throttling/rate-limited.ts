import { AppException } from '../errors/app.exception.js';

/** The 429 every budget answers with: the envelope plus Retry-After (never below 1 s). */
export function rateLimited(
  seconds: number,
  what: string,
  details: Record<string, unknown> = {},
): AppException {
  const retryAfter = Math.max(1, seconds);
  return new AppException(
    'COMMON_RATE_LIMITED',
    `${what}: retry after ${retryAfter} seconds`,
    { ...details, retry_after: retryAfter },
    { 'Retry-After': String(retryAfter) },
  );
}
