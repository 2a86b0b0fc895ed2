import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateAccountsAndSessions1795550421726 implements MigrationInterface {
  name = 'CreateAccountsAndSessions1795550421726';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "outbox_events" (
                "id" uuid NOT NULL,
                "type" character varying(64) NOT NULL,
                "version" character varying(16) NOT NULL,
                "aggregate_id" character varying(128) NOT NULL,
                "payload" jsonb NOT NULL,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "published_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_6689a16c00d09b8089f6237f1d2" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_outbox_events_pending" ON "outbox_events" ("occurred_at")
            WHERE "published_at" IS NULL
        `);
    await queryRunner.query(`
            CREATE TABLE "tenants" (
                "id" character varying(64) NOT NULL,
                "name" character varying(200) NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'active',
                "settings" jsonb NOT NULL DEFAULT '{}',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "chk_tenants_id" CHECK ("id" ~ '^[a-z0-9][a-z0-9_-]{1,62}$'),
                CONSTRAINT "chk_tenants_status" CHECK (
                    "status" IN ('active', 'suspended', 'deactivated')
                ),
                CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "users" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "email" character varying(254),
                "password_hash" character varying(255),
                "full_name" character varying(100) NOT NULL,
                "username" character varying(50),
                "phone" character varying(32),
                "grade_level" character varying(32),
                "profile_image_url" character varying(2048),
                "preferences" jsonb NOT NULL DEFAULT '{}',
                "platform_role" character varying(16),
                "is_active" boolean NOT NULL DEFAULT true,
                "email_verified_at" TIMESTAMP WITH TIME ZONE,
                "last_login_at" TIMESTAMP WITH TIME ZONE,
                "failed_login_count" integer NOT NULL DEFAULT '0',
                "locked_until" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "deleted_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "chk_users_failed_login_count" CHECK ("failed_login_count" >= 0),
                CONSTRAINT "chk_users_email_lowercase" CHECK ("email" = lower("email")),
                CONSTRAINT "chk_users_platform_role" CHECK ("platform_role" IN ('super_admin')),
                CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_users_created_at" ON "users" ("created_at")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_users_email_live" ON "users" ("email")
            WHERE "deleted_at" IS NULL
        `);
    await queryRunner.query(`
            CREATE TABLE "login_history" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "user_id" uuid,
                "email_tried" character varying(254),
                "ip" character varying(64),
                "user_agent" character varying(512),
                "success" boolean NOT NULL,
                "failure_reason" character varying(64),
                "provider" character varying(32) NOT NULL DEFAULT 'password',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_fe377f36d49c39547cb6b9f0727" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_login_history_created_at" ON "login_history" ("created_at")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_login_history_user_time" ON "login_history" ("user_id", "created_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "sessions" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "user_id" uuid NOT NULL,
                "tenant_id" character varying(64),
                "refresh_family" character varying(32) NOT NULL,
                "refresh_token_hash" character(64) NOT NULL,
                "previous_token_hash" character(64),
                "rotated_at" TIMESTAMP WITH TIME ZONE,
                "user_agent" character varying(512),
                "ip" character varying(64),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "last_used_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                "revoked_reason" character varying(32),
                CONSTRAINT "PK_3238ef96f18b355b671619111bc" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_sessions_refresh_family" ON "sessions" ("refresh_family")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_sessions_user_created" ON "sessions" ("user_id", "created_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "one_time_tokens" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "user_id" uuid NOT NULL,
                "purpose" character varying(32) NOT NULL,
                "token_hash" character(64) NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "used_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "chk_one_time_tokens_purpose" CHECK (
                    "purpose" IN ('email_verification', 'password_reset')
                ),
                CONSTRAINT "PK_8e470cc9ffc1b2afa054304db17" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_one_time_tokens_hash" ON "one_time_tokens" ("token_hash")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_one_time_tokens_user_purpose" ON "one_time_tokens" ("user_id", "purpose")
        `);
    await queryRunner.query(`
            CREATE TABLE "memberships" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "user_id" uuid NOT NULL,
                "tenant_id" character varying(64) NOT NULL,
                "role" character varying(16) NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'active',
                "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "uq_memberships_user_tenant" UNIQUE ("user_id", "tenant_id"),
                CONSTRAINT "chk_memberships_status" CHECK ("status" IN ('active', 'suspended')),
                CONSTRAINT "chk_memberships_role" CHECK ("role" IN ('student', 'teacher', 'admin')),
                CONSTRAINT "PK_25d28bd932097a9e90495ede7b4" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_memberships_tenant_role" ON "memberships" ("tenant_id", "role")
        `);
    await queryRunner.query(`
            ALTER TABLE "login_history"
            ADD CONSTRAINT "fk_login_history_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "sessions"
            ADD CONSTRAINT "fk_sessions_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "sessions"
            ADD CONSTRAINT "fk_sessions_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "one_time_tokens"
            ADD CONSTRAINT "fk_one_time_tokens_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "memberships"
            ADD CONSTRAINT "fk_memberships_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "memberships"
            ADD CONSTRAINT "fk_memberships_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "memberships" DROP CONSTRAINT "fk_memberships_tenant"
        `);
    await queryRunner.query(`
            ALTER TABLE "memberships" DROP CONSTRAINT "fk_memberships_user"
        `);
    await queryRunner.query(`
            ALTER TABLE "one_time_tokens" DROP CONSTRAINT "fk_one_time_tokens_user"
        `);
    await queryRunner.query(`
            ALTER TABLE "sessions" DROP CONSTRAINT "fk_sessions_tenant"
        `);
    await queryRunner.query(`
            ALTER TABLE "sessions" DROP CONSTRAINT "fk_sessions_user"
        `);
    await queryRunner.query(`
            ALTER TABLE "login_history" DROP CONSTRAINT "fk_login_history_user"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_memberships_tenant_role"
        `);
    await queryRunner.query(`
            DROP TABLE "memberships"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_one_time_tokens_user_purpose"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_one_time_tokens_hash"
        `);
    await queryRunner.query(`
            DROP TABLE "one_time_tokens"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_sessions_user_created"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_sessions_refresh_family"
        `);
    await queryRunner.query(`
            DROP TABLE "sessions"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_login_history_user_time"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_login_history_created_at"
        `);
    await queryRunner.query(`
            DROP TABLE "login_history"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_users_email_live"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_users_created_at"
        `);
    await queryRunner.query(`
            DROP TABLE "users"
        `);
    await queryRunner.query(`
            DROP TABLE "tenants"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_outbox_events_pending"
        `);
    await queryRunner.query(`
            DROP TABLE "outbox_events"
        `);
  }
}
