import { StripeFailure } from './errors.js';

export interface StoredResponse {
  status: number;
  body: string;
}

interface Entry {
  fingerprint: string;
  response: StoredResponse;
}

/** Stripe's idempotency: a key replays its first answer, and refuses to be reused for another request. */
export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  /** The stored answer to replay, or undefined when the request is new. */
  replay(key: string, fingerprint: string): StoredResponse | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      return undefined;
    }
    if (entry.fingerprint !== fingerprint) {
      throw new StripeFailure(400, {
        type: 'idempotency_error',
        message:
          'Keys for idempotent requests can only be used with the same parameters they were first used with. ' +
          `Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    return entry.response;
  }

  remember(key: string, fingerprint: string, response: StoredResponse): void {
    this.entries.set(key, { fingerprint, response });
  }
}
