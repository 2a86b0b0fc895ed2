import { describe, expect, it } from '@jest/globals';
import type { MinimalJob } from 'bullmq';
import { ltiBackoff, LTI_BACKOFF } from './lti-backoff.js';
import { LtiServiceError } from './services/lti-service-error.js';

const job = { opts: { backoff: { type: LTI_BACKOFF, delay: 100 } } } as MinimalJob;

describe('ltiBackoff', () => {
  it('should double from the base delay', () => {
    expect(
      [1, 2, 3, 4].map((attempts) => ltiBackoff(attempts, LTI_BACKOFF, new Error(), job)),
    ).toEqual([100, 200, 400, 800]);
  });

  it("should wait at least as long as the LMS's Retry-After asks, and no less than doubling", () => {
    const busy = new LtiServiceError('unavailable', 429, 'slow down', 2.5);
    expect(ltiBackoff(1, LTI_BACKOFF, busy, job)).toBe(2500);
    const briefly = new LtiServiceError('unavailable', 503, null, 0);
    expect(ltiBackoff(3, LTI_BACKOFF, briefly, job)).toBe(400);
  });
});
