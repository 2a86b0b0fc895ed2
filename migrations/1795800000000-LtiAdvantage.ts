import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * LTI Advantage: the service endpoints a course's launches named (roster, line items), the
 * platforms' access tokens shared by every instance (sealed), roster syncs (at most one open
 * per course) and the roster as last seen, line items and the scores published to them (one
 * row per line item and student, the newest grading wins).
 */
export class LtiAdvantage1795800000000 implements MigrationInterface {
  name = 'LtiAdvantage1795800000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "lti_contexts"
                ADD "deployment_id" character varying(255),
                ADD "memberships_url" character varying(2048),
                ADD "differences_url" character varying(2048),
                ADD "lineitems_url" character varying(2048),
                ADD "ags_scopes" text array NOT NULL DEFAULT '{}'
        `);
    await queryRunner.query(`
            CREATE TABLE "lti_service_tokens" (
                "platform_id" uuid NOT NULL,
                "scopes" character varying(1024) NOT NULL,
                "access_token_sealed" text NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_service_tokens" PRIMARY KEY ("platform_id", "scopes"),
                CONSTRAINT "fk_lti_service_tokens_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "lti_roster_syncs" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "platform_id" uuid NOT NULL,
                "context_id" character varying(255) NOT NULL,
                "class_id" uuid NOT NULL,
                "trigger" character varying(16) NOT NULL,
                "requested_by" uuid,
                "status" character varying(16) NOT NULL DEFAULT 'queued',
                "mode" character varying(16),
                "pages" integer NOT NULL DEFAULT 0,
                "members" integer NOT NULL DEFAULT 0,
                "added" integer NOT NULL DEFAULT 0,
                "removed" integer NOT NULL DEFAULT 0,
                "skipped" integer NOT NULL DEFAULT 0,
                "error_code" character varying(64),
                "error_message" character varying(1000),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "started_at" TIMESTAMP WITH TIME ZONE,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_lti_roster_syncs" PRIMARY KEY ("id"),
                CONSTRAINT "chk_lti_roster_syncs_status" CHECK ("status" IN ('queued', 'running', 'succeeded', 'failed')),
                CONSTRAINT "chk_lti_roster_syncs_trigger" CHECK ("trigger" IN ('launch', 'manual', 'nightly')),
                CONSTRAINT "chk_lti_roster_syncs_mode" CHECK ("mode" IN ('full', 'differences')),
                CONSTRAINT "fk_lti_roster_syncs_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_roster_syncs_class" FOREIGN KEY ("class_id") REFERENCES "classes" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_roster_syncs_requested_by" FOREIGN KEY ("requested_by") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    // One sync of a course at a time, whatever asks for it and on however many instances.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_lti_roster_syncs_open" ON "lti_roster_syncs" ("platform_id", "context_id") WHERE "status" IN ('queued', 'running')`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_lti_roster_syncs_class" ON "lti_roster_syncs" ("class_id", "created_at")`,
    );
    await queryRunner.query(`
            CREATE TABLE "lti_roster_members" (
                "platform_id" uuid NOT NULL,
                "context_id" character varying(255) NOT NULL,
                "lms_user_id" character varying(255) NOT NULL,
                "user_id" uuid,
                "status" character varying(16) NOT NULL,
                "roles" text array NOT NULL DEFAULT '{}',
                "last_sync_id" uuid NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "pk_lti_roster_members" PRIMARY KEY ("platform_id", "context_id", "lms_user_id"),
                CONSTRAINT "fk_lti_roster_members_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_roster_members_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "lti_line_items" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "platform_id" uuid NOT NULL,
                "context_id" character varying(255) NOT NULL,
                "class_id" uuid NOT NULL,
                "url" character varying(2048) NOT NULL,
                "label" character varying(255) NOT NULL,
                "score_maximum" double precision NOT NULL,
                "resource_id" character varying(255),
                "tag" character varying(255),
                "resource_link_id" character varying(255),
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_line_items" PRIMARY KEY ("id"),
                CONSTRAINT "chk_lti_line_items_score_maximum" CHECK ("score_maximum" > 0),
                CONSTRAINT "fk_lti_line_items_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_line_items_class" FOREIGN KEY ("class_id") REFERENCES "classes" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_line_items_created_by" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_lti_line_items_url" ON "lti_line_items" ("platform_id", "url")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_lti_line_items_class" ON "lti_line_items" ("class_id", "created_at")`,
    );
    await queryRunner.query(`
            CREATE TABLE "lti_scores" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "line_item_id" uuid NOT NULL,
                "user_id" uuid NOT NULL,
                "lms_user_id" character varying(255) NOT NULL,
                "score_given" double precision,
                "score_maximum" double precision,
                "activity_progress" character varying(16) NOT NULL,
                "grading_progress" character varying(16) NOT NULL,
                "comment" character varying(1000),
                "graded_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'pending',
                "attempts" integer NOT NULL DEFAULT 0,
                "last_error" character varying(1000),
                "sent_graded_at" TIMESTAMP WITH TIME ZONE,
                "sent_at" TIMESTAMP WITH TIME ZONE,
                "requested_by" character varying(80),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_scores" PRIMARY KEY ("id"),
                CONSTRAINT "chk_lti_scores_status" CHECK ("status" IN ('pending', 'sent', 'failed')),
                CONSTRAINT "chk_lti_scores_given" CHECK ("score_given" IS NULL OR ("score_given" >= 0 AND "score_maximum" IS NOT NULL AND "score_maximum" > 0)),
                CONSTRAINT "fk_lti_scores_line_item" FOREIGN KEY ("line_item_id") REFERENCES "lti_line_items" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_scores_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_lti_scores_line_item_user" ON "lti_scores" ("line_item_id", "user_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'lti_scores',
      'lti_line_items',
      'lti_roster_members',
      'lti_roster_syncs',
      'lti_service_tokens',
    ]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
    await queryRunner.query(`
            ALTER TABLE "lti_contexts"
                DROP COLUMN "deployment_id",
                DROP COLUMN "memberships_url",
                DROP COLUMN "differences_url",
                DROP COLUMN "lineitems_url",
                DROP COLUMN "ags_scopes"
        `);
  }
}
