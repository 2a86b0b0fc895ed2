import { StripeFailure } from './errors.js';

export type FaultStatus = 500 | 429 | 503;

export interface FaultMatch {
  status: FaultStatus;
  path?: RegExp;
  method?: string;
}

interface Fault extends FaultMatch {
  remaining: number;
}

/** Failures a test arms ahead of time; a failed request changes nothing, as with Stripe. */
export class FaultPlan {
  private readonly faults: Fault[] = [];

  failNext(count: number, match: FaultMatch): void {
    this.faults.push({ ...match, remaining: count });
  }

  /** Consumes one armed failure matching this request, if any. */
  take(method: string, path: string): StripeFailure | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.method === undefined || candidate.method.toUpperCase() === method) &&
        (candidate.path === undefined || candidate.path.test(path)),
    );
    if (!fault) {
      return undefined;
    }
    fault.remaining -= 1;
    return fault.status === 429
      ? new StripeFailure(429, {
          type: 'rate_limit_error',
          code: 'rate_limit',
          message:
            'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
        })
      : new StripeFailure(fault.status, {
          type: 'api_error',
          message: 'An unknown error occurred.',
        });
  }
}
