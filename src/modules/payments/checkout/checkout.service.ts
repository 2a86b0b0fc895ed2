import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import type { UserPrincipal } from '../../../common/auth/principal.js';
import { noteAuditTarget } from '../../../common/audit/audit-target.js';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { AppConfigService } from '../../../config/app-config.service.js';
import { TenantsRepository } from '../../tenants/tenants.repository.js';
import { UsersRepository } from '../../users/users.repository.js';
import type { CheckoutSessionDto, CreateCheckoutSessionDto } from '../dto/checkout.dto.js';
import { payerKey, type CheckoutMetadata, type Payer } from '../payer.js';
import { PlansService } from '../plans/plans.service.js';
import type { PlanRow } from '../plans/plans.repository.js';
import { STRIPE_CLIENT } from '../stripe/stripe-client.provider.js';
import { askStripe } from '../stripe/stripe-errors.js';
import { SubscriptionsRepository } from '../subscriptions/subscriptions.repository.js';
import { BillingCustomersRepository } from './billing-customers.repository.js';

/** A double click within this window gets the same Checkout session (same idempotency key). */
const CHECKOUT_BUCKET_MS = 60_000;

/** Stripe Checkout for subscriptions, and the customer portal afterwards. */
@Injectable()
export class CheckoutService {
  constructor(
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    private readonly plans: PlansService,
    private readonly customers: BillingCustomersRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly users: UsersRepository,
    private readonly tenants: TenantsRepository,
  ) {}

  async createCheckoutSession(
    user: UserPrincipal,
    dto: CreateCheckoutSessionDto,
  ): Promise<CheckoutSessionDto> {
    const plan = await this.plans.require(dto.plan_id);
    if (!plan.is_active) {
      throw new AppException('PAYMENTS_PLAN_INACTIVE');
    }
    const payer = payerOfPlan(user, plan);
    const quantity = seatsOf(plan, dto.quantity);
    if (await this.subscriptions.hasLive(payer, plan.id)) {
      throw new AppException('PAYMENTS_ALREADY_SUBSCRIBED');
    }
    const customer = await this.customerFor(payer, user);
    const metadata: CheckoutMetadata = {
      payer_type: payer.kind,
      user_id: user.userId,
      ...(payer.kind === 'tenant' ? { tenant_id: payer.id } : {}),
      plan_id: plan.id,
    };
    const frontend = this.config.get('FRONTEND_URL').replace(/\/$/, '');
    const bucket = Math.floor(this.clock.now().getTime() / CHECKOUT_BUCKET_MS);
    const session = await askStripe(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'subscription',
          customer,
          client_reference_id: payerKey(payer).replace(':', '_'),
          line_items: [{ price: plan.stripe_price_id, quantity }],
          metadata: { ...metadata },
          subscription_data: {
            metadata: { ...metadata },
            ...(plan.trial_days > 0 ? { trial_period_days: plan.trial_days } : {}),
          },
          allow_promotion_codes: this.config.get('STRIPE_CHECKOUT_ALLOW_PROMOTION_CODES'),
          success_url: `${frontend}/billing/success?session_id={CHECKOUT_SESSION_ID}`,
          cancel_url: `${frontend}/billing/cancel`,
        },
        {
          idempotencyKey: digest(
            `checkout:${payerKey(payer)}:${user.userId}:${plan.id}:${plan.stripe_price_id}:${quantity}:${bucket}`,
          ),
        },
      ),
    );
    noteAuditTarget({
      resourceType: 'plan',
      resourceId: plan.id,
      tenantId: payer.kind === 'tenant' ? payer.id : undefined,
    });
    return { checkout_url: session.url ?? '', session_id: session.id };
  }

  async createPortalSession(payer: Payer): Promise<{ portal_url: string }> {
    const customer = await this.customers.customerOf(payer);
    if (!customer) {
      throw new AppException('PAYMENTS_NO_CUSTOMER');
    }
    const frontend = this.config.get('FRONTEND_URL').replace(/\/$/, '');
    const session = await askStripe(() =>
      this.stripe.billingPortal.sessions.create({ customer, return_url: `${frontend}/billing` }),
    );
    return { portal_url: session.url };
  }

  /**
   * The payer's Stripe customer, made on their first checkout with our ids in its metadata.
   * The idempotency key is the payer's, so two first checkouts at once make one customer.
   */
  private async customerFor(payer: Payer, buyer: UserPrincipal): Promise<string> {
    const known = await this.customers.customerOf(payer);
    if (known) {
      return known;
    }
    const person = await this.users.findById(buyer.userId);
    const params: Stripe.CustomerCreateParams =
      payer.kind === 'user'
        ? {
            email: person?.email ?? undefined,
            name: person?.fullName,
            metadata: { user_id: payer.id },
          }
        : {
            email: person?.email ?? undefined,
            name: (await this.tenants.findById(payer.id))?.name ?? payer.id,
            metadata: { tenant_id: payer.id },
          };
    const customer = await askStripe(() =>
      this.stripe.customers.create(params, { idempotencyKey: `customer:${payerKey(payer)}` }),
    );
    return this.customers.remember(payer, customer.id);
  }
}

/** Individual plans: anyone signed in, for themselves. School plans: an admin, for their school. */
function payerOfPlan(user: UserPrincipal, plan: PlanRow): Payer {
  if (plan.audience === 'individual') {
    return { kind: 'user', id: user.userId };
  }
  if (user.role !== 'admin' || !user.tenantId) {
    throw new AppException('PAYMENTS_SCHOOL_PLAN_ADMINS_ONLY');
  }
  return { kind: 'tenant', id: user.tenantId };
}

function seatsOf(plan: PlanRow, quantity: number | undefined): number {
  if (plan.seat_based) {
    if (quantity === undefined) {
      throw new AppException(
        'PAYMENTS_QUANTITY_INVALID',
        'A seat plan needs quantity: the number of seats',
      );
    }
    return quantity;
  }
  if (quantity !== undefined && quantity !== 1) {
    throw new AppException(
      'PAYMENTS_QUANTITY_INVALID',
      'This plan is not priced per seat: send no quantity',
    );
  }
  return 1;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
