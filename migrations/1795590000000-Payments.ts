import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Payments with Stripe: plans and the prices they had, one Stripe customer per paying user or
 * school, subscriptions as Stripe last said they are, one transaction per paid invoice, and
 * every verified webhook event, stored before it is processed. Money is in minor units
 * (integers); a payer is a user or a tenant, never both.
 */
export class Payments1795590000000 implements MigrationInterface {
  name = 'Payments1795590000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "subscription_plans" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" character varying(100) NOT NULL,
                "description" text,
                "unit_amount" integer NOT NULL,
                "currency" character(3) NOT NULL,
                "interval" character varying(5) NOT NULL,
                "trial_days" integer NOT NULL DEFAULT 0,
                "features" jsonb NOT NULL DEFAULT '{}',
                "seat_based" boolean NOT NULL DEFAULT false,
                "audience" character varying(10) NOT NULL,
                "is_active" boolean NOT NULL DEFAULT true,
                "stripe_product_id" character varying(255) NOT NULL,
                "stripe_price_id" character varying(255) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_subscription_plans" PRIMARY KEY ("id"),
                CONSTRAINT "uq_subscription_plans_stripe_price_id" UNIQUE ("stripe_price_id"),
                CONSTRAINT "chk_subscription_plans_unit_amount" CHECK ("unit_amount" BETWEEN 0 AND 99999999),
                CONSTRAINT "chk_subscription_plans_currency" CHECK ("currency" ~ '^[a-z]{3}$'),
                CONSTRAINT "chk_subscription_plans_interval" CHECK ("interval" IN ('month', 'year')),
                CONSTRAINT "chk_subscription_plans_trial_days" CHECK ("trial_days" BETWEEN 0 AND 730),
                CONSTRAINT "chk_subscription_plans_audience" CHECK ("audience" IN ('individual', 'school')),
                CONSTRAINT "chk_subscription_plans_seats_for_schools" CHECK (NOT "seat_based" OR "audience" = 'school')
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "plan_prices" (
                "stripe_price_id" character varying(255) NOT NULL,
                "plan_id" uuid NOT NULL,
                "unit_amount" integer NOT NULL,
                "currency" character(3) NOT NULL,
                "interval" character varying(5) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "archived_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_plan_prices" PRIMARY KEY ("stripe_price_id"),
                CONSTRAINT "fk_plan_prices_plan" FOREIGN KEY ("plan_id") REFERENCES "subscription_plans" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(`CREATE INDEX "idx_plan_prices_plan" ON "plan_prices" ("plan_id")`);
    await queryRunner.query(`
            CREATE TABLE "billing_customers" (
                "stripe_customer_id" character varying(255) NOT NULL,
                "user_id" uuid,
                "tenant_id" character varying(64),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_billing_customers" PRIMARY KEY ("stripe_customer_id"),
                CONSTRAINT "uq_billing_customers_user" UNIQUE ("user_id"),
                CONSTRAINT "uq_billing_customers_tenant" UNIQUE ("tenant_id"),
                CONSTRAINT "chk_billing_customers_one_payer" CHECK (num_nonnulls("user_id", "tenant_id") = 1),
                CONSTRAINT "fk_billing_customers_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_billing_customers_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "subscriptions" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "stripe_subscription_id" character varying(255) NOT NULL,
                "stripe_customer_id" character varying(255) NOT NULL,
                "payer_user_id" uuid,
                "payer_tenant_id" character varying(64),
                "plan_id" uuid,
                "stripe_price_id" character varying(255) NOT NULL,
                "status" character varying(30) NOT NULL,
                "quantity" integer NOT NULL DEFAULT 1,
                "current_period_start" TIMESTAMP WITH TIME ZONE,
                "current_period_end" TIMESTAMP WITH TIME ZONE,
                "cancel_at_period_end" boolean NOT NULL DEFAULT false,
                "trial_end" TIMESTAMP WITH TIME ZONE,
                "canceled_at" TIMESTAMP WITH TIME ZONE,
                "ended_at" TIMESTAMP WITH TIME ZONE,
                "past_due_since" TIMESTAMP WITH TIME ZONE,
                "stripe_synced_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_subscriptions" PRIMARY KEY ("id"),
                CONSTRAINT "uq_subscriptions_stripe_subscription_id" UNIQUE ("stripe_subscription_id"),
                CONSTRAINT "chk_subscriptions_one_payer" CHECK (num_nonnulls("payer_user_id", "payer_tenant_id") = 1),
                CONSTRAINT "chk_subscriptions_quantity" CHECK ("quantity" >= 0),
                CONSTRAINT "fk_subscriptions_user" FOREIGN KEY ("payer_user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_subscriptions_tenant" FOREIGN KEY ("payer_tenant_id") REFERENCES "tenants" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_subscriptions_plan" FOREIGN KEY ("plan_id") REFERENCES "subscription_plans" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "idx_subscriptions_payer_user" ON "subscriptions" ("payer_user_id") WHERE "payer_user_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_subscriptions_payer_tenant" ON "subscriptions" ("payer_tenant_id") WHERE "payer_tenant_id" IS NOT NULL`,
    );
    await queryRunner.query(`
            CREATE TABLE "payment_transactions" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "subscription_id" uuid NOT NULL,
                "stripe_invoice_id" character varying(255) NOT NULL,
                "stripe_payment_intent_id" character varying(255),
                "amount" bigint NOT NULL,
                "amount_refunded" bigint NOT NULL DEFAULT 0,
                "currency" character(3) NOT NULL,
                "status" character varying(10) NOT NULL,
                "paid_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_payment_transactions" PRIMARY KEY ("id"),
                CONSTRAINT "uq_payment_transactions_invoice" UNIQUE ("stripe_invoice_id"),
                CONSTRAINT "chk_payment_transactions_status" CHECK ("status" IN ('succeeded', 'failed', 'refunded')),
                CONSTRAINT "chk_payment_transactions_amounts" CHECK ("amount" >= 0 AND "amount_refunded" BETWEEN 0 AND "amount"),
                CONSTRAINT "fk_payment_transactions_subscription" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "idx_payment_transactions_subscription" ON "payment_transactions" ("subscription_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_payment_transactions_payment_intent" ON "payment_transactions" ("stripe_payment_intent_id")`,
    );
    await queryRunner.query(`
            CREATE TABLE "stripe_events" (
                "id" character varying(255) NOT NULL,
                "type" character varying(100) NOT NULL,
                "stripe_created_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "livemode" boolean NOT NULL,
                "payload" jsonb NOT NULL,
                "source" character varying(20) NOT NULL DEFAULT 'webhook',
                "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "enqueued_at" TIMESTAMP WITH TIME ZONE,
                "enqueue_round" integer NOT NULL DEFAULT 0,
                "processed_at" TIMESTAMP WITH TIME ZONE,
                "attempts" integer NOT NULL DEFAULT 0,
                "last_error" text,
                "failed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_stripe_events" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "idx_stripe_events_unprocessed" ON "stripe_events" ("received_at") WHERE "processed_at" IS NULL`,
    );
    await queryRunner.query(`
            CREATE TABLE "billing_notices" (
                "subscription_id" uuid NOT NULL,
                "kind" character varying(30) NOT NULL,
                "reference" character varying(255) NOT NULL,
                "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_billing_notices" PRIMARY KEY ("subscription_id", "kind", "reference"),
                CONSTRAINT "fk_billing_notices_subscription" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "payments_state" (
                "key" character varying(64) NOT NULL,
                "value" jsonb NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_payments_state" PRIMARY KEY ("key")
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "payments_state"`);
    await queryRunner.query(`DROP TABLE "billing_notices"`);
    await queryRunner.query(`DROP TABLE "stripe_events"`);
    await queryRunner.query(`DROP TABLE "payment_transactions"`);
    await queryRunner.query(`DROP TABLE "subscriptions"`);
    await queryRunner.query(`DROP TABLE "billing_customers"`);
    await queryRunner.query(`DROP TABLE "plan_prices"`);
    await queryRunner.query(`DROP TABLE "subscription_plans"`);
  }
}
