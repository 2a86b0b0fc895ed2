import { Injectable } from '@nestjs/common';
import { CacheInvalidation } from '../../../common/cache/cache-invalidation.service.js';
import { TtlCache } from '../../../common/cache/ttl-cache.js';
import { Clock } from '../../../common/clock/clock.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { payerKey, type Payer } from '../payer.js';
import {
  EntitlementsRepository,
  type EntitlingRow,
  type SubscriptionTermsRow,
} from './entitlements.repository.js';

/** What a live subscription grants its payer now. */
export interface Entitlement {
  subscriptionId: string;
  planId: string;
  planName: string;
  status: EntitlingRow['status'];
  /** The plan's request budget per hour, when it sets one. */
  apiRequestsPerHour: number | null;
  /** School plans: the members allowed, when the plan sets it. */
  maxUsers: number | null;
  /** School plans: features the plan switches on or off. */
  features: Record<string, boolean>;
  /** Seat plans: the seats bought (the subscription's quantity). */
  seats: number | null;
}

/** A subscription as payments stores it now: payer, plan, seats and term. */
export interface SubscriptionTerms {
  subscriptionId: string;
  stripeSubscriptionId: string;
  payer: Payer;
  planId: string | null;
  seatBased: boolean;
  status: string;
  quantity: number;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  endedAt: Date | null;
}

export type EntitlementFacts = Pick<
  EntitlingRow,
  'past_due_since' | 'cancel_at_period_end' | 'current_period_end'
> & { status: string };

/** How long an instance that missed a change may keep granting what was. */
const ENTITLEMENT_CACHE_TTL_MS = 5000;
const DAY_MS = 24 * 3600 * 1000;

/**
 * The one answer to "what does this user's or school's subscription grant right now?", for
 * every module (rate limits, tenant features and limits, licenses). A subscription entitles
 * while `active` or `trialing` (until its period ends when it is set to cancel), and while
 * `past_due` for PAYMENTS_PAST_DUE_GRACE_DAYS. Rows are cached for 5 s and dropped on every
 * instance when a sync changes them; the grace and period checks run on each read.
 */
@Injectable()
export class Entitlements {
  private readonly cache = new TtlCache<EntitlingRow[]>(ENTITLEMENT_CACHE_TTL_MS);
  private readonly graceMs: number;

  constructor(
    private readonly repository: EntitlementsRepository,
    private readonly clock: Clock,
    config: AppConfigService,
    invalidation: CacheInvalidation,
  ) {
    this.graceMs = config.get('PAYMENTS_PAST_DUE_GRACE_DAYS') * DAY_MS;
    invalidation.on('entitlement', (keys) => this.cache.drop(keys));
  }

  forUser(userId: string): Promise<Entitlement | null> {
    return this.of({ kind: 'user', id: userId });
  }

  forTenant(tenantId: string): Promise<Entitlement | null> {
    return this.of({ kind: 'tenant', id: tenantId });
  }

  /**
   * A signed-in user's request budget per hour from their plans (their own, and their current
   * school's): the largest either sets, or undefined when neither does (the free default).
   */
  async requestBudgetPerHour(userId: string, tenantId: string | null): Promise<number | undefined> {
    const [own, school] = await Promise.all([
      this.forUser(userId),
      tenantId ? this.forTenant(tenantId) : null,
    ]);
    const budgets = [own?.apiRequestsPerHour, school?.apiRequestsPerHour].filter(
      (budget): budget is number => typeof budget === 'number',
    );
    return budgets.length > 0 ? Math.max(...budgets) : undefined;
  }

  async of(payer: Payer): Promise<Entitlement | null> {
    const key = payerKey(payer);
    const rows = await this.cache.get(key, () => this.repository.entitlingSubscriptions(payer));
    const now = this.clock.now().getTime();
    const entitling = rows.filter((row) => this.entitles(row, now));
    // Paid-up subscriptions first; among equals the newest (rows come newest first).
    const best = entitling.find((row) => row.status !== 'past_due') ?? entitling[0];
    return best ? toEntitlement(best) : null;
  }

  /**
   * The subscription's current stored state, read fresh (never cached): what follows a
   * subscription reads this instead of trusting an event's copy, which may be out of date.
   */
  async subscriptionTerms(stripeSubscriptionId: string): Promise<SubscriptionTerms | undefined> {
    const row = await this.repository.subscriptionTerms(stripeSubscriptionId);
    return row ? toTerms(row) : undefined;
  }

  /** Whether a subscription in this state entitles its payer now. */
  isEntitling(row: EntitlementFacts): boolean {
    return this.entitles(row, this.clock.now().getTime());
  }

  private entitles(row: EntitlementFacts, now: number): boolean {
    if (!['active', 'trialing', 'past_due'].includes(row.status)) {
      return false;
    }
    if (row.status === 'past_due') {
      return row.past_due_since !== null && now < row.past_due_since.getTime() + this.graceMs;
    }
    if (row.cancel_at_period_end && row.current_period_end) {
      return now < row.current_period_end.getTime();
    }
    return true;
  }
}

function toTerms(row: SubscriptionTermsRow): SubscriptionTerms {
  return {
    subscriptionId: row.subscription_id,
    stripeSubscriptionId: row.stripe_subscription_id,
    payer: row.payer_user_id
      ? { kind: 'user', id: row.payer_user_id }
      : { kind: 'tenant', id: row.payer_tenant_id ?? '' },
    planId: row.plan_id,
    seatBased: row.seat_based ?? false,
    status: row.status,
    quantity: row.quantity,
    currentPeriodStart: row.current_period_start,
    currentPeriodEnd: row.current_period_end,
    cancelAtPeriodEnd: row.cancel_at_period_end,
    canceledAt: row.canceled_at,
    endedAt: row.ended_at,
  };
}

function toEntitlement(row: EntitlingRow): Entitlement {
  const features = row.features ?? {};
  const flags = features.features;
  return {
    subscriptionId: row.subscription_id,
    planId: row.plan_id,
    planName: row.plan_name,
    status: row.status,
    apiRequestsPerHour: positiveInteger(features.api_requests_per_hour),
    maxUsers: positiveInteger(features.max_users),
    features:
      flags && typeof flags === 'object'
        ? Object.fromEntries(
            Object.entries(flags as Record<string, unknown>).filter(
              (entry): entry is [string, boolean] => typeof entry[1] === 'boolean',
            ),
          )
        : {},
    seats: row.seat_based ? row.quantity : null,
  };
}

function positiveInteger(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}
