import { request as httpRequest } from 'node:http';
import Stripe from 'stripe';

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface SignatureOptions {
  secret: string;
  /** Unix seconds; an old one makes a stale signature. */
  timestamp?: number;
}

export interface DeliveryResult {
  status: number;
  body: string;
}

/** The `Stripe-Signature` header, made by the SDK itself so the app's verification is the real one. */
export function signature(payload: string, { secret, timestamp }: SignatureOptions): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

export function postWebhook(
  url: string,
  payload: string,
  stripeSignature: string,
): Promise<DeliveryResult> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: 'POST',
        // A fresh connection each time: nothing is left open when the test closes its server.
        agent: false,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          'Stripe-Signature': stripeSignature,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}
