import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class MarketplaceAndUsage1795559634639 implements MigrationInterface {
  name = 'MarketplaceAndUsage1795559634639';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "market_api_keys" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "name" character varying(100) NOT NULL,
                "key_prefix" character varying(16) NOT NULL,
                "key_hash" character(64) NOT NULL,
                "source" character varying(8) NOT NULL DEFAULT 'admin',
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "chk_market_api_keys_source" CHECK ("source" IN ('admin', 'env')),
                CONSTRAINT "PK_9950429040affb11b63ebbe4a0f" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_market_api_keys_hash" ON "market_api_keys" ("key_hash")
        `);
    await queryRunner.query(`
            CREATE TABLE "usage_events" (
                "tenant_id" character varying(64) NOT NULL,
                "event_id" character varying(128) NOT NULL,
                "user_id" uuid,
                "session_id" character varying(128),
                "kind" character varying(32) NOT NULL,
                "model" character varying(64) NOT NULL,
                "input_tokens" integer NOT NULL,
                "output_tokens" integer NOT NULL,
                "cost_usd" numeric(14, 6) NOT NULL,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "chk_usage_events_tokens" CHECK (
                    "input_tokens" >= 0
                    AND "output_tokens" >= 0
                ),
                CONSTRAINT "PK_d986aa225e668322098515b6e56" PRIMARY KEY ("tenant_id", "event_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_usage_events_tenant_time" ON "usage_events" ("tenant_id", "occurred_at")
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
            CREATE TABLE "usage_hourly" (
                "tenant_id" character varying(64) NOT NULL,
                "hour" TIMESTAMP WITH TIME ZONE NOT NULL,
                "messages" integer NOT NULL,
                "tokens" bigint NOT NULL,
                CONSTRAINT "PK_9d711c398448bdc3c331cfa2b2b" PRIMARY KEY ("tenant_id", "hour")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "usage_sessions" (
                "tenant_id" character varying(64) NOT NULL,
                "session_id" character varying(128) NOT NULL,
                "user_id" uuid,
                "started_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "last_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_cc9c543759fe9d2869b9139f0da" PRIMARY KEY ("tenant_id", "session_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_usage_sessions_tenant_started" ON "usage_sessions" ("tenant_id", "started_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants"
            ADD "plan" character varying(32)
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants"
            ADD "subscription" jsonb NOT NULL DEFAULT '{}'
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants"
            ADD "activated_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants"
            ADD "deactivated_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants"
            ADD "deactivation_reason" character varying(500)
        `);
    await queryRunner.query(`
            ALTER TABLE "classes"
            ADD "created_by" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "classes"
            ADD CONSTRAINT "fk_classes_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "classes" DROP CONSTRAINT "fk_classes_created_by"
        `);
    await queryRunner.query(`
            ALTER TABLE "classes" DROP COLUMN "created_by"
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants" DROP COLUMN "deactivation_reason"
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants" DROP COLUMN "deactivated_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants" DROP COLUMN "activated_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants" DROP COLUMN "subscription"
        `);
    await queryRunner.query(`
            ALTER TABLE "tenants" DROP COLUMN "plan"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_usage_sessions_tenant_started"
        `);
    await queryRunner.query(`
            DROP TABLE "usage_sessions"
        `);
    await queryRunner.query(`
            DROP TABLE "usage_hourly"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_usage_daily_tenant_user"
        `);
    await queryRunner.query(`
            DROP TABLE "usage_daily"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_usage_events_tenant_time"
        `);
    await queryRunner.query(`
            DROP TABLE "usage_events"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_market_api_keys_hash"
        `);
    await queryRunner.query(`
            DROP TABLE "market_api_keys"
        `);
  }
}
