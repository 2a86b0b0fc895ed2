import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { Clock } from '../../../common/clock/clock.js';
import { queryOne } from '../../../common/database/sql.js';
import { STRIPE_CLIENT } from '../stripe/stripe-client.provider.js';
import { isMissingInStripe } from '../stripe/stripe-errors.js';
import { SubscriptionSync } from '../subscriptions/subscription-sync.service.js';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository.js';
import { StripeEventRelay } from '../webhooks/stripe-event-relay.service.js';
import { StripeEventsRepository } from '../webhooks/stripe-events.repository.js';

export interface ReconciliationReport {
  subscriptions_checked: number;
  subscriptions_failed: number;
  events_recovered: number;
  events_requeued: number;
}

const STATE_KEY = 'reconciliation';
/** Stripe keeps events for 30 days; a first run looks back this far. */
const FIRST_LOOKBACK_SECONDS = 3 * 24 * 3600;
/** Events overlap between runs by this much, since delivery attempts lag behind creation. */
const OVERLAP_SECONDS = 3600;
/** An enqueued event still unprocessed after this long lost its job. */
const STALE_JOB_SECONDS = 3600;

/**
 * The repair pass behind the webhook: re-reads every subscription that has not ended and
 * applies it, and asks Stripe for the events it could not deliver since the last run,
 * storing and processing them like deliveries.
 */
@Injectable()
export class Reconciliation {
  private readonly logger = new Logger(Reconciliation.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly sync: SubscriptionSync,
    private readonly events: StripeEventsRepository,
    private readonly relay: StripeEventRelay,
    private readonly clock: Clock,
  ) {}

  async run(): Promise<ReconciliationReport> {
    const startedAt = Math.floor(this.clock.nowMs() / 1000);
    const report: ReconciliationReport = {
      subscriptions_checked: 0,
      subscriptions_failed: 0,
      events_recovered: await this.recoverUndelivered(),
      events_requeued: await this.events.requeueStale(STALE_JOB_SECONDS),
    };
    for (const id of await this.subscriptions.liveStripeIds()) {
      try {
        await this.sync.sync(id);
        report.subscriptions_checked += 1;
      } catch (error) {
        if (!isMissingInStripe(error)) {
          report.subscriptions_failed += 1;
          this.logger.warn(
            { err: error, stripe_subscription_id: id },
            'reconciliation could not sync',
          );
        }
      }
    }
    await this.saveLastRun(startedAt);
    if (report.events_recovered > 0 || report.events_requeued > 0) {
      this.relay.nudge();
    }
    this.logger.log(report, 'reconciliation done');
    return report;
  }

  private async recoverUndelivered(): Promise<number> {
    const since =
      (await this.lastRun()) ?? Math.floor(this.clock.nowMs() / 1000) - FIRST_LOOKBACK_SECONDS;
    let recovered = 0;
    for await (const event of this.stripe.events.list({
      delivery_success: false,
      created: { gte: since - OVERLAP_SECONDS },
      limit: 100,
    })) {
      const stored = await this.events.store({
        id: event.id,
        type: event.type,
        created: event.created,
        livemode: event.livemode,
        payload: JSON.stringify(event),
        source: 'reconciliation',
      });
      recovered += stored ? 1 : 0;
    }
    return recovered;
  }

  private async lastRun(): Promise<number | undefined> {
    const row = await queryOne<{ value: { started_at?: number } }>(
      this.dataSource,
      `SELECT value FROM payments_state WHERE key = $1`,
      [STATE_KEY],
    );
    return row?.value.started_at;
  }

  private async saveLastRun(startedAt: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO payments_state (key, value) VALUES ($1, $2::jsonb)
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [STATE_KEY, JSON.stringify({ started_at: startedAt })],
    );
  }
}
