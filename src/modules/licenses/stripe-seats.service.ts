import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CacheInvalidation } from '../../common/cache/cache-invalidation.service.js';
import { Clock } from '../../common/clock/clock.js';
import type { DomainEvent } from '../../common/events/domain-event.js';
import { EventSubscribers } from '../../common/events/event-subscribers.js';
import { OutboxService } from '../../common/events/outbox.service.js';
import { AppConfigService } from '../../config/app-config.service.js';
import {
  Entitlements,
  type SubscriptionTerms,
} from '../payments/entitlements/entitlements.service.js';
import { LicenseAudit, type LicenseActor } from './license-audit.service.js';
import { announceStatusChange } from './license-events.js';
import { LicensesRepository, type LicenseRow } from './licenses.repository.js';

const DAY_MS = 24 * 3600 * 1000;
const SYSTEM: LicenseActor = { actorType: 'system' };
/** Stripe statuses in which a subscription is paid up or within its grace. */
const LIVE = new Set(['active', 'trialing', 'past_due']);

interface FollowedTerms {
  tenantId: string;
  planId: string | null;
  totalSeats: number;
  startsAt: Date;
  expiresAt: Date;
}

/**
 * A school's seat subscription keeps one license (source: the Stripe subscription id) in step:
 * its seats are the quantity, its term the period (plus the past-due grace while live, none once
 * it is canceled or set to cancel). Events are only a nudge: each one re-reads the
 * subscription as payments stores it now, under the license's lock, so duplicates and any
 * arrival order end in the same license. Fewer seats than are taken make it over_allocated;
 * nobody loses a seat, and a renewal keeps them all.
 */
@Injectable()
export class StripeSeats implements OnModuleInit {
  private readonly graceMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly subscribers: EventSubscribers,
    private readonly entitlements: Entitlements,
    private readonly licenses: LicensesRepository,
    private readonly outbox: OutboxService,
    private readonly invalidation: CacheInvalidation,
    private readonly licenseAudit: LicenseAudit,
    private readonly clock: Clock,
    config: AppConfigService,
  ) {
    this.graceMs = config.get('PAYMENTS_PAST_DUE_GRACE_DAYS') * DAY_MS;
  }

  onModuleInit(): void {
    this.subscribers.on(['subscription.changed', 'subscription.canceled'], (event) =>
      this.follow(event),
    );
  }

  private async follow(event: DomainEvent): Promise<void> {
    const stripeId = event.payload.stripe_subscription_id;
    if (typeof stripeId !== 'string' || event.payload.payer_type !== 'tenant') {
      return;
    }
    await this.syncLicense(stripeId);
  }

  /** Brings the subscription's license to the subscription's current state; returns it. */
  async syncLicense(stripeSubscriptionId: string): Promise<LicenseRow | undefined> {
    const first = await this.entitlements.subscriptionTerms(stripeSubscriptionId);
    if (!first || !followsSeats(first)) {
      return undefined;
    }
    return this.dataSource.transaction(async (manager) => {
      let license = await this.licenses.findBySource(manager, stripeSubscriptionId);
      if (!license) {
        const terms = this.termsOf(first);
        if (!LIVE.has(first.status) || terms.expiresAt <= this.clock.now()) {
          // An ended subscription that never had a license gets none.
          return undefined;
        }
        const made = await this.licenses.insertForSource(manager, {
          ...terms,
          source: stripeSubscriptionId,
          createdBy: null,
        });
        license = await this.licenses.findBySource(manager, stripeSubscriptionId);
        if (!license) {
          throw new Error(`license of ${stripeSubscriptionId} was neither made nor found`);
        }
        if (made) {
          await this.licenseAudit.statusMoved(undefined, license, SYSTEM, manager);
        }
      }
      // Read again under the lock: a sync committed while we waited is what counts.
      const current = await this.entitlements.subscriptionTerms(stripeSubscriptionId);
      if (!current || !followsSeats(current)) {
        return license;
      }
      const terms = this.termsOf(current, license.starts_at);
      if (sameTerms(license, terms)) {
        // A duplicate, or an event older than what was applied: nothing moves, not even updated_at.
        return license;
      }
      const updated = await this.licenses.updateTerms(
        manager,
        license.id,
        { totalSeats: terms.totalSeats, expiresAt: terms.expiresAt, planId: terms.planId },
        this.clock.now(),
      );
      if (unchanged(license, updated)) {
        return updated;
      }
      await announceStatusChange(this.outbox, manager, license, updated);
      if (updated.status !== license.status) {
        await this.licenseAudit.statusMoved(license, updated, SYSTEM, manager);
      }
      this.invalidation.changed(
        manager,
        'license_seat',
        await this.licenses.holdersOfAny([license.id], manager),
      );
      return updated;
    });
  }

  /** What the license should say for this state of the subscription. */
  private termsOf(subscription: SubscriptionTerms, startsAt?: Date): FollowedTerms {
    const now = this.clock.now();
    const start =
      startsAt ??
      new Date(Math.min(now.getTime(), subscription.currentPeriodStart?.getTime() ?? Infinity));
    const periodEnd = subscription.currentPeriodEnd ?? now;
    let expiresAt: Date;
    if (subscription.status === 'canceled') {
      expiresAt = subscription.endedAt ?? subscription.canceledAt ?? periodEnd;
    } else if (!LIVE.has(subscription.status)) {
      // Unpaid, paused, incomplete: it grants nothing now, and may come back.
      expiresAt = new Date(Math.min(now.getTime(), periodEnd.getTime()));
    } else if (subscription.cancelAtPeriodEnd) {
      expiresAt = periodEnd;
    } else {
      expiresAt = new Date(periodEnd.getTime() + this.graceMs);
    }
    // The term must end after it starts (a CHECK); an end at or before the start has expired.
    if (expiresAt.getTime() <= start.getTime()) {
      expiresAt = new Date(start.getTime() + 1);
    }
    return {
      tenantId: subscription.payer.id,
      planId: subscription.planId,
      totalSeats: subscription.quantity,
      startsAt: start,
      expiresAt,
    };
  }
}

/** A school's subscription to a seat plan: the only kind a license follows. */
function followsSeats(subscription: SubscriptionTerms): boolean {
  return subscription.payer.kind === 'tenant' && subscription.seatBased;
}

function sameTerms(license: LicenseRow, terms: FollowedTerms): boolean {
  return (
    license.total_seats === terms.totalSeats &&
    license.plan_id === terms.planId &&
    license.expires_at.getTime() === terms.expiresAt.getTime()
  );
}

function unchanged(before: LicenseRow, after: LicenseRow): boolean {
  return (
    before.status === after.status &&
    before.total_seats === after.total_seats &&
    before.plan_id === after.plan_id &&
    before.expires_at.getTime() === after.expires_at.getTime()
  );
}
