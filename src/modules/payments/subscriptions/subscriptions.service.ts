import { Inject, Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { noteAuditTarget } from '../../../common/audit/audit-target.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { BillingCustomersRepository } from '../checkout/billing-customers.repository.js';
import { Entitlements } from '../entitlements/entitlements.service.js';
import type { InvoiceDto, InvoicePageDto } from '../dto/invoice.dto.js';
import { toSubscriptionDto, type SubscriptionDto } from '../dto/subscription.dto.js';
import type { Payer } from '../payer.js';
import { STRIPE_CLIENT } from '../stripe/stripe-client.provider.js';
import { askStripe } from '../stripe/stripe-errors.js';
import { SubscriptionSync } from './subscription-sync.service.js';
import {
  LIVE_STATUSES,
  SubscriptionsRepository,
  type SubscriptionRow,
} from './subscriptions.repository.js';

const DEFAULT_INVOICE_PAGE = 20;

/**
 * What a payer sees and changes of their subscription. Changes go through Stripe; its answer
 * is applied at once (and again when its event comes back, which changes nothing then).
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly customers: BillingCustomersRepository,
    private readonly sync: SubscriptionSync,
    private readonly entitlements: Entitlements,
  ) {}

  /** The payer's live subscription, else the latest one they had; 404 if they never had one. */
  async current(payer: Payer): Promise<SubscriptionDto> {
    return this.toDto(await this.requireCurrent(payer));
  }

  async cancelAtPeriodEnd(payer: Payer): Promise<SubscriptionDto> {
    return this.change(payer, { cancel_at_period_end: true });
  }

  async resume(payer: Payer): Promise<SubscriptionDto> {
    return this.change(payer, { cancel_at_period_end: false });
  }

  async changeSeats(payer: Payer, quantity: number): Promise<SubscriptionDto> {
    const row = await this.requireLive(payer);
    if (!row.seat_based) {
      throw new AppException('PAYMENTS_NOT_SEAT_BASED');
    }
    const current = await askStripe(() =>
      this.stripe.subscriptions.retrieve(row.stripe_subscription_id),
    );
    const item = current.items.data[0];
    if (!item) {
      throw new AppException('PAYMENTS_SUBSCRIPTION_NOT_FOUND');
    }
    return this.change(
      payer,
      { items: [{ id: item.id, quantity }], proration_behavior: 'create_prorations' },
      row,
    );
  }

  async invoices(
    payer: Payer,
    page: { limit?: number; starting_after?: string },
  ): Promise<InvoicePageDto> {
    const customer = await this.customers.customerOf(payer);
    if (!customer) {
      return { items: [], has_more: false };
    }
    const list = await askStripe(() =>
      this.stripe.invoices.list({
        customer,
        limit: page.limit ?? DEFAULT_INVOICE_PAGE,
        ...(page.starting_after ? { starting_after: page.starting_after } : {}),
      }),
    );
    return { items: list.data.map(toInvoiceDto), has_more: list.has_more };
  }

  private async change(
    payer: Payer,
    params: Stripe.SubscriptionUpdateParams,
    live?: SubscriptionRow,
  ): Promise<SubscriptionDto> {
    const row = live ?? (await this.requireLive(payer));
    noteAuditTarget({
      resourceType: 'subscription',
      resourceId: row.id,
      tenantId: row.payer_tenant_id ?? undefined,
    });
    const asked = new Date();
    const updated = await askStripe(() =>
      this.stripe.subscriptions.update(row.stripe_subscription_id, params),
    );
    const saved = await this.sync.sync(row.stripe_subscription_id, {
      current: updated,
      currentAsOf: asked,
    });
    return this.toDto(saved ?? row);
  }

  private async requireCurrent(payer: Payer): Promise<SubscriptionRow> {
    const [row] = await this.subscriptions.ofPayer(payer);
    if (!row) {
      throw new AppException('PAYMENTS_SUBSCRIPTION_NOT_FOUND');
    }
    return row;
  }

  private async requireLive(payer: Payer): Promise<SubscriptionRow> {
    const row = await this.requireCurrent(payer);
    if (!LIVE_STATUSES.includes(row.status)) {
      throw new AppException('PAYMENTS_SUBSCRIPTION_NOT_FOUND');
    }
    return row;
  }

  private toDto(row: SubscriptionRow): SubscriptionDto {
    return toSubscriptionDto(row, this.entitlements.isEntitling(row));
  }
}

function toInvoiceDto(invoice: Stripe.Invoice): InvoiceDto {
  const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
  return {
    id: invoice.id ?? '',
    status: invoice.status,
    amount_due: invoice.amount_due,
    amount_paid: invoice.amount_paid,
    currency: invoice.currency,
    period_start: iso(invoice.period_start),
    period_end: iso(invoice.period_end),
    created_at: iso(invoice.created),
    hosted_invoice_url: invoice.hosted_invoice_url ?? null,
    invoice_pdf: invoice.invoice_pdf ?? null,
  };
}
