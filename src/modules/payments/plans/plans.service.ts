import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { AppException } from '../../../common/errors/app.exception.js';
import type { CreatePlanDto } from '../dto/create-plan.dto.js';
import { toPlanDto, toPublicPlanDto, type PlanDto, type PublicPlanDto } from '../dto/plan.dto.js';
import type { UpdatePlanDto } from '../dto/update-plan.dto.js';
import { STRIPE_CLIENT } from '../stripe/stripe-client.provider.js';
import { askStripe, idOf, isMissingInStripe } from '../stripe/stripe-errors.js';
import { PlansRepository, type PlanChanges, type PlanRow } from './plans.repository.js';

type PriceTerms = Pick<PlanRow, 'unit_amount' | 'currency' | 'interval'>;

/**
 * Plans and their Stripe Product and Price. Stripe prices are immutable: a new amount,
 * currency or interval is a new Price, the old one archived; subscribers keep the price they
 * have until they change plan.
 */
@Injectable()
export class PlansService {
  private readonly logger = new Logger(PlansService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(STRIPE_CLIENT) private readonly stripe: Stripe,
    private readonly plans: PlansRepository,
  ) {}

  async listPublic(): Promise<PublicPlanDto[]> {
    return (await this.plans.list({ activeOnly: true })).map(toPublicPlanDto);
  }

  async list(): Promise<PlanDto[]> {
    return (await this.plans.list({ activeOnly: false })).map(toPlanDto);
  }

  async get(id: string): Promise<PlanDto> {
    return toPlanDto(await this.require(id));
  }

  async require(id: string): Promise<PlanRow> {
    const plan = await this.plans.findById(id);
    if (!plan) {
      throw new AppException('PAYMENTS_PLAN_NOT_FOUND');
    }
    return plan;
  }

  async create(dto: CreatePlanDto): Promise<PlanDto> {
    const id = randomUUID();
    const terms: PriceTerms = {
      unit_amount: dto.unit_amount,
      currency: dto.currency,
      interval: dto.interval,
    };
    const { productId, priceId } = dto.stripe_price_id
      ? await this.adoptPrice(dto.stripe_price_id, terms)
      : await this.createProductAndPrice(id, dto, terms);
    const inserted = await this.dataSource.transaction((manager) =>
      this.plans.insert(manager, {
        id,
        name: dto.name,
        description: dto.description ?? null,
        ...terms,
        trial_days: dto.trial_days ?? 0,
        features: (dto.features ?? {}) as Record<string, unknown>,
        seat_based: dto.seat_based ?? false,
        audience: dto.audience,
        is_active: dto.is_active ?? true,
        stripe_product_id: productId,
        stripe_price_id: priceId,
      }),
    );
    if (!inserted) {
      // Two adoptions of one price at once: the check in adoptPrice saw neither.
      throw new AppException('COMMON_CONFLICT', 'Another plan already sells at this Stripe price');
    }
    return this.get(id);
  }

  async update(id: string, dto: UpdatePlanDto): Promise<PlanDto> {
    const plan = await this.require(id);
    const terms: PriceTerms = {
      unit_amount: dto.unit_amount ?? plan.unit_amount,
      currency: dto.currency ?? plan.currency,
      interval: dto.interval ?? plan.interval,
    };
    const repriced =
      terms.unit_amount !== plan.unit_amount ||
      terms.currency !== plan.currency ||
      terms.interval !== plan.interval;
    const changes: PlanChanges = {
      name: dto.name,
      description: dto.description,
      trial_days: dto.trial_days,
      features: dto.features as Record<string, unknown> | undefined,
      is_active: dto.is_active,
    };
    if (repriced) {
      const price = await askStripe(() =>
        this.stripe.prices.create(
          {
            product: plan.stripe_product_id,
            ...stripePriceTerms(terms),
            metadata: { plan_id: id },
          },
          {
            idempotencyKey: `plan-price:${id}:${terms.unit_amount}:${terms.currency}:${terms.interval}:${plan.stripe_price_id}`,
          },
        ),
      );
      Object.assign(changes, terms, { stripe_price_id: price.id });
    }
    if (dto.name !== undefined || dto.description !== undefined) {
      await askStripe(() =>
        this.stripe.products.update(plan.stripe_product_id, {
          name: dto.name ?? plan.name,
          description: (dto.description === undefined ? plan.description : dto.description) ?? '',
        }),
      );
    }
    await this.dataSource.transaction(async (manager) => {
      await this.plans.update(manager, id, changes);
      if (changes.stripe_price_id) {
        await this.plans.recordPrice(
          manager,
          { id, stripe_price_id: changes.stripe_price_id, ...terms },
          plan.stripe_price_id,
        );
      }
    });
    if (repriced) {
      await this.archivePrice(plan.stripe_price_id);
    }
    return this.get(id);
  }

  private async createProductAndPrice(
    id: string,
    dto: CreatePlanDto,
    terms: PriceTerms,
  ): Promise<{ productId: string; priceId: string }> {
    const product = await askStripe(() =>
      this.stripe.products.create(
        {
          name: dto.name,
          ...(dto.description ? { description: dto.description } : {}),
          metadata: { plan_id: id },
        },
        { idempotencyKey: `plan-product:${id}` },
      ),
    );
    const price = await askStripe(() =>
      this.stripe.prices.create(
        { product: product.id, ...stripePriceTerms(terms), metadata: { plan_id: id } },
        { idempotencyKey: `plan-price:${id}` },
      ),
    );
    return { productId: product.id, priceId: price.id };
  }

  /** An existing Stripe price, read back: it must be active, recurring and agree with the plan. */
  private async adoptPrice(
    priceId: string,
    terms: PriceTerms,
  ): Promise<{ productId: string; priceId: string }> {
    if (await this.plans.isPriceAdopted(priceId)) {
      throw new AppException('COMMON_CONFLICT', 'Another plan already sells at this Stripe price');
    }
    const price = await askStripe(() =>
      this.stripe.prices.retrieve(priceId).catch((error: unknown) => {
        throw isMissingInStripe(error)
          ? new AppException('PAYMENTS_STRIPE_PRICE_UNKNOWN', undefined, {
              stripe_price_id: priceId,
            })
          : error;
      }),
    );
    if (!price.active || !price.recurring) {
      throw new AppException('PAYMENTS_STRIPE_PRICE_UNKNOWN', undefined, {
        stripe_price_id: priceId,
      });
    }
    const found = {
      unit_amount: price.unit_amount,
      currency: price.currency,
      interval: price.recurring.interval,
      interval_count: price.recurring.interval_count,
    };
    const expected = { ...terms, interval_count: 1 };
    if (
      found.unit_amount !== expected.unit_amount ||
      found.currency !== expected.currency ||
      found.interval !== expected.interval ||
      found.interval_count !== 1
    ) {
      throw new AppException('PAYMENTS_STRIPE_PRICE_MISMATCH', undefined, { expected, found });
    }
    return { productId: idOf(price.product) ?? '', priceId: price.id };
  }

  /** A replaced price stops selling; if Stripe is down it stays active there but unused here. */
  private async archivePrice(priceId: string): Promise<void> {
    try {
      await this.stripe.prices.update(priceId, { active: false });
    } catch (error) {
      this.logger.warn(
        { err: error, stripe_price_id: priceId },
        'could not archive a replaced Stripe price',
      );
    }
  }
}

function stripePriceTerms(
  terms: PriceTerms,
): Pick<Stripe.PriceCreateParams, 'unit_amount' | 'currency' | 'recurring'> {
  return {
    unit_amount: terms.unit_amount,
    currency: terms.currency,
    recurring: { interval: terms.interval },
  };
}
