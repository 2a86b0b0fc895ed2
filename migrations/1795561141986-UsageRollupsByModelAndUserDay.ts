import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class UsageRollupsByModelAndUserDay1795561141986 implements MigrationInterface {
  name = 'UsageRollupsByModelAndUserDay1795561141986';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "usage_model_daily" (
                "tenant_id" character varying(64) NOT NULL,
                "day" date NOT NULL,
                "model" character varying(64) NOT NULL,
                "messages" integer NOT NULL,
                "input_tokens" bigint NOT NULL,
                "output_tokens" bigint NOT NULL,
                "cost_usd" numeric(16, 6) NOT NULL,
                CONSTRAINT "PK_2fc5cb4d1b2c73b4ab2bc9eb458" PRIMARY KEY ("tenant_id", "day", "model")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "usage_user_days" (
                "tenant_id" character varying(64) NOT NULL,
                "day" date NOT NULL,
                "user_id" uuid NOT NULL,
                "messages" integer NOT NULL,
                "tokens" bigint NOT NULL,
                "cost_usd" numeric(16, 6) NOT NULL,
                CONSTRAINT "PK_53548517ccd991b01defc952705" PRIMARY KEY ("tenant_id", "day", "user_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_usage_user_days_tenant_user" ON "usage_user_days" ("tenant_id", "user_id", "day")
        `);
    // The raw events are the source of truth: the new rollups are rebuilt from them.
    await queryRunner.query(`
            INSERT INTO "usage_model_daily" (tenant_id, day, model, messages, input_tokens, output_tokens, cost_usd)
            SELECT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date, model, count(*),
                   sum(input_tokens), sum(output_tokens), sum(cost_usd)
            FROM "usage_events" GROUP BY 1, 2, 3
        `);
    await queryRunner.query(`
            INSERT INTO "usage_user_days" (tenant_id, day, user_id, messages, tokens, cost_usd)
            SELECT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date, user_id, count(*),
                   sum(input_tokens::bigint + output_tokens), sum(cost_usd)
            FROM "usage_events" WHERE user_id IS NOT NULL GROUP BY 1, 2, 3
        `);
    await queryRunner.query(`
            DROP TABLE "usage_daily"
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_outbox_events_limit_reached" ON "outbox_events" ("aggregate_id")
            WHERE "type" = 'tenant.limit_reached'
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."idx_outbox_events_limit_reached"
        `);
    await queryRunner.query(`
            CREATE TABLE "usage_daily" (
                "tenant_id" character varying(64) NOT NULL,
                "day" date NOT NULL,
                "user_key" character varying(36) NOT NULL,
                "model" character varying(64) NOT NULL,
                "messages" integer NOT NULL,
                "input_tokens" bigint NOT NULL,
                "output_tokens" bigint NOT NULL,
                "cost_usd" numeric(16, 6) NOT NULL,
                CONSTRAINT "PK_d02b99cbb73f410176042f9d022" PRIMARY KEY ("tenant_id", "day", "user_key", "model")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_usage_daily_tenant_user" ON "usage_daily" ("tenant_id", "user_key", "day")
        `);
    await queryRunner.query(`
            INSERT INTO "usage_daily" (tenant_id, day, user_key, model, messages, input_tokens, output_tokens, cost_usd)
            SELECT tenant_id, (occurred_at AT TIME ZONE 'UTC')::date, coalesce(user_id::text, ''), model,
                   count(*), sum(input_tokens), sum(output_tokens), sum(cost_usd)
            FROM "usage_events" GROUP BY 1, 2, 3, 4
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_usage_user_days_tenant_user"
        `);
    await queryRunner.query(`
            DROP TABLE "usage_user_days"
        `);
    await queryRunner.query(`
            DROP TABLE "usage_model_daily"
        `);
  }
}
