import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { queryOne } from '../../../common/database/sql.js';
import type { Payer } from '../payer.js';

/** `billing_customers`: the one Stripe customer of each paying user and school. */
@Injectable()
export class BillingCustomersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async customerOf(payer: Payer): Promise<string | undefined> {
    const row = await queryOne<{ stripe_customer_id: string }>(
      this.dataSource,
      payer.kind === 'user'
        ? `SELECT stripe_customer_id FROM billing_customers WHERE user_id = $1`
        : `SELECT stripe_customer_id FROM billing_customers WHERE tenant_id = $1`,
      [payer.id],
    );
    return row?.stripe_customer_id;
  }

  /** Keeps the first customer stored for the payer; returns the one that is stored. */
  async remember(payer: Payer, stripeCustomerId: string): Promise<string> {
    await this.dataSource.query(
      `INSERT INTO billing_customers (stripe_customer_id, user_id, tenant_id)
       VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [
        stripeCustomerId,
        payer.kind === 'user' ? payer.id : null,
        payer.kind === 'tenant' ? payer.id : null,
      ],
    );
    return (await this.customerOf(payer)) ?? stripeCustomerId;
  }

  async payerOf(manager: EntityManager, stripeCustomerId: string): Promise<Payer | undefined> {
    const row = await queryOne<{ user_id: string | null; tenant_id: string | null }>(
      manager,
      `SELECT user_id, tenant_id FROM billing_customers WHERE stripe_customer_id = $1`,
      [stripeCustomerId],
    );
    if (row?.user_id) {
      return { kind: 'user', id: row.user_id };
    }
    return row?.tenant_id ? { kind: 'tenant', id: row.tenant_id } : undefined;
  }
}
