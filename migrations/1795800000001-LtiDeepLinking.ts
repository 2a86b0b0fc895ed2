import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * LTI Deep Linking 2.0: the one answer each deep-linking launch may get (keyed by the launch,
 * so a second answer cannot be written), and the content items teachers sent to their LMS,
 * found again by id (custom parameter) or by the resource link id of their first launch.
 */
export class LtiDeepLinking1795800000001 implements MigrationInterface {
  name = 'LtiDeepLinking1795800000001';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "lti_deep_link_responses" (
                "launch_id" uuid NOT NULL,
                "platform_id" uuid NOT NULL,
                "tenant_id" character varying(64) NOT NULL,
                "user_id" uuid,
                "cancelled" boolean NOT NULL,
                "item_count" integer NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_deep_link_responses" PRIMARY KEY ("launch_id"),
                CONSTRAINT "fk_lti_deep_link_responses_launch" FOREIGN KEY ("launch_id") REFERENCES "lti_launches" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_deep_link_responses_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_deep_link_responses_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "lti_deep_linked_items" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "launch_id" uuid,
                "platform_id" uuid NOT NULL,
                "tenant_id" character varying(64) NOT NULL,
                "context_id" character varying(255),
                "class_id" uuid,
                "type" character varying(32) NOT NULL,
                "title" character varying(255),
                "url" character varying(2048),
                "custom" jsonb NOT NULL DEFAULT '{}',
                "line_item" jsonb,
                "resource_link_id" character varying(255),
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_deep_linked_items" PRIMARY KEY ("id"),
                CONSTRAINT "chk_lti_deep_linked_items_type" CHECK ("type" IN ('ltiResourceLink', 'link', 'html', 'file', 'image')),
                CONSTRAINT "fk_lti_deep_linked_items_launch" FOREIGN KEY ("launch_id") REFERENCES "lti_launches" ("id") ON DELETE SET NULL,
                CONSTRAINT "fk_lti_deep_linked_items_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_deep_linked_items_class" FOREIGN KEY ("class_id") REFERENCES "classes" ("id") ON DELETE SET NULL,
                CONSTRAINT "fk_lti_deep_linked_items_created_by" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "idx_lti_deep_linked_items_resource_link" ON "lti_deep_linked_items" ("platform_id", "resource_link_id") WHERE "resource_link_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_lti_deep_linked_items_launch" ON "lti_deep_linked_items" ("launch_id")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "lti_deep_linked_items"`);
    await queryRunner.query(`DROP TABLE "lti_deep_link_responses"`);
  }
}
