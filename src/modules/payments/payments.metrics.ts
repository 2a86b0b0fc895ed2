import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { StripeEventsRepository } from './webhooks/stripe-events.repository.js';

/** Webhook deliveries, event processing, and how far processing lags behind Stripe. */
@Injectable()
export class PaymentsMetrics {
  /** outcome: stored, duplicate, invalid_signature */
  readonly webhookDeliveries: Counter<'type' | 'outcome'>;
  /** outcome: processed, retried, failed */
  readonly eventsProcessed: Counter<'type' | 'outcome'>;

  constructor(metrics: MetricsService, events: StripeEventsRepository) {
    this.webhookDeliveries = metrics.counter({
      name: 'stripe_webhook_deliveries_total',
      help: 'Stripe webhook deliveries by event type and outcome (stored, duplicate, invalid_signature)',
      labelNames: ['type', 'outcome'],
    });
    this.eventsProcessed = metrics.counter({
      name: 'stripe_events_processed_total',
      help: 'Stripe event processing attempts by event type and outcome (processed, retried, failed)',
      labelNames: ['type', 'outcome'],
    });
    metrics.gauge({
      name: 'stripe_events_oldest_unprocessed_seconds',
      help: 'Age of the oldest stored Stripe event not processed yet (0: none waiting)',
      async collect() {
        this.set(await events.oldestUnprocessedAgeSeconds());
      },
    });
  }
}
