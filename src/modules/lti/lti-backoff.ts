import type { MinimalJob } from 'bullmq';
import { LtiServiceError } from './services/lti-service-error.js';

/** The backoff type of LTI jobs, computed by `ltiBackoff` (the worker's backoff strategy). */
export const LTI_BACKOFF = 'lms';

/**
 * The delay before an LTI job's next try: doubling from the job's base delay, and never sooner
 * than the LMS asked in its Retry-After (a 429 or 503 with one; capped at an hour when read).
 */
export function ltiBackoff(
  attemptsMade: number,
  _type?: string,
  error?: Error,
  job?: MinimalJob,
): number {
  const backoff = job?.opts.backoff;
  const base = typeof backoff === 'object' ? (backoff.delay ?? 0) : (backoff ?? 0);
  const doubling = Math.round(2 ** Math.max(0, attemptsMade - 1) * base);
  const asked =
    error instanceof LtiServiceError && error.retryAfterSeconds !== null
      ? Math.ceil(error.retryAfterSeconds * 1000)
      : 0;
  return Math.max(doubling, asked);
}
