import { Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { AppException } from '../../../common/errors/app.exception.js';
import { Clock } from '../../../common/clock/clock.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { PaymentsMetrics } from '../payments.metrics.js';
import { metricType } from './stripe-event-handler.service.js';
import { StripeEventRelay } from './stripe-event-relay.service.js';
import { StripeEventInbox } from './stripe-event-inbox.service.js';

/** Stripe's own default: a signature older than this is refused (never 0: in v23 that disables the check). */
const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * Receives a delivery: verifies the signature against the raw body with every configured
 * secret, stores the event once (`ON CONFLICT DO NOTHING`), and lets the relay queue it. The
 * answer does not wait for processing.
 */
@Injectable()
export class StripeWebhookService {
  private readonly logger = new Logger(StripeWebhookService.name);
  private readonly secrets: string[];

  constructor(
    config: AppConfigService,
    private readonly clock: Clock,
    private readonly inbox: StripeEventInbox,
    private readonly relay: StripeEventRelay,
    private readonly metrics: PaymentsMetrics,
  ) {
    this.secrets = (config.get('STRIPE_WEBHOOK_SECRETS') ?? '')
      .split(',')
      .map((secret) => secret.trim())
      .filter((secret) => secret.length > 0);
  }

  async receive(
    rawBody: string | undefined,
    signature: string | undefined,
  ): Promise<{ received: true; duplicate: boolean }> {
    const event = this.verify(rawBody, signature);
    const stored = await this.inbox.store({
      id: event.id,
      type: event.type,
      created: event.created,
      livemode: event.livemode,
      payload: rawBody ?? '',
      source: 'webhook',
    });
    this.metrics.webhookDeliveries.inc({
      type: metricType(event.type),
      outcome: stored ? 'stored' : 'duplicate',
    });
    if (stored) {
      this.relay.nudge();
    }
    return { received: true, duplicate: !stored };
  }

  private verify(rawBody: string | undefined, signature: string | undefined): Stripe.Event {
    if (rawBody && signature) {
      for (const secret of this.secrets) {
        let event: Stripe.Event;
        try {
          event = Stripe.webhooks.constructEvent(
            rawBody,
            signature,
            secret,
            SIGNATURE_TOLERANCE_SECONDS,
            undefined,
            // The app's clock (movable in tests); the system clock in production.
            this.clock.now().getTime(),
          );
        } catch {
          continue;
        }
        return assertEventShape(event);
      }
    }
    this.metrics.webhookDeliveries.inc({ type: 'unknown', outcome: 'invalid_signature' });
    this.logger.warn(
      { signed: Boolean(signature) },
      'stripe webhook refused: signature did not verify',
    );
    throw new AppException('PAYMENTS_WEBHOOK_SIGNATURE_INVALID');
  }
}

/** A signed body is Stripe's, but its fields are still checked before they reach a column. */
function assertEventShape(event: Stripe.Event): Stripe.Event {
  const { id, type, created, livemode } = event as unknown as Partial<Record<string, unknown>>;
  const valid =
    typeof id === 'string' &&
    /^evt_[A-Za-z0-9_]{1,250}$/.test(id) &&
    typeof type === 'string' &&
    type.length <= 100 &&
    typeof created === 'number' &&
    Number.isInteger(created) &&
    typeof livemode === 'boolean';
  if (!valid) {
    throw new AppException('COMMON_VALIDATION_FAILED', 'The body is not a Stripe event');
  }
  return event;
}
