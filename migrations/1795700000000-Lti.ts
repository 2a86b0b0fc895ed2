import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * LTI 1.3: the platforms (LMS registrations) a school trusts, their deployments, the tool's own
 * signing keys (private halves encrypted), the short-lived login states and the nonces already
 * accepted, the people (by issuer and subject) and courses (by registration and context id) we
 * know, every accepted launch, every refused one, and the one-use links that bind a Dynamic
 * Registration to a school.
 */
export class Lti1795700000000 implements MigrationInterface {
  name = 'Lti1795700000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "lti_platforms" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "tenant_id" character varying(64) NOT NULL,
                "issuer" character varying(255) NOT NULL,
                "client_id" character varying(255) NOT NULL,
                "auth_login_url" character varying(2048) NOT NULL,
                "token_url" character varying(2048) NOT NULL,
                "token_audience" character varying(2048),
                "jwks_url" character varying(2048) NOT NULL,
                "display_name" character varying(100) NOT NULL,
                "product" character varying(32) NOT NULL DEFAULT 'other',
                "status" character varying(24) NOT NULL DEFAULT 'active',
                "registered_via" character varying(16) NOT NULL DEFAULT 'manual',
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_platforms" PRIMARY KEY ("id"),
                CONSTRAINT "chk_lti_platforms_status" CHECK ("status" IN ('active', 'awaiting_approval', 'disabled')),
                CONSTRAINT "chk_lti_platforms_registered_via" CHECK ("registered_via" IN ('manual', 'dynamic')),
                CONSTRAINT "fk_lti_platforms_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_platforms_created_by" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_lti_platforms_issuer_client" ON "lti_platforms" ("issuer", "client_id")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_lti_platforms_tenant" ON "lti_platforms" ("tenant_id", "created_at")`,
    );
    await queryRunner.query(`
            CREATE TABLE "lti_deployments" (
                "platform_id" uuid NOT NULL,
                "deployment_id" character varying(255) NOT NULL,
                "status" character varying(16) NOT NULL,
                "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "decided_at" TIMESTAMP WITH TIME ZONE,
                "decided_by" uuid,
                CONSTRAINT "pk_lti_deployments" PRIMARY KEY ("platform_id", "deployment_id"),
                CONSTRAINT "chk_lti_deployments_status" CHECK ("status" IN ('approved', 'pending', 'refused')),
                CONSTRAINT "fk_lti_deployments_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_deployments_decided_by" FOREIGN KEY ("decided_by") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "lti_tool_keys" (
                "kid" character varying(64) NOT NULL,
                "public_jwk" jsonb NOT NULL,
                "private_key_sealed" text NOT NULL,
                "status" character varying(16) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "retired_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_lti_tool_keys" PRIMARY KEY ("kid"),
                CONSTRAINT "chk_lti_tool_keys_status" CHECK ("status" IN ('signing', 'published'))
            )
        `);
    // One key signs at a time; the others stay published until removed.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_lti_tool_keys_signing" ON "lti_tool_keys" ("status") WHERE "status" = 'signing'`,
    );
    await queryRunner.query(`
            CREATE TABLE "lti_login_states" (
                "state_hash" character varying(64) NOT NULL,
                "platform_id" uuid NOT NULL,
                "nonce" character varying(64) NOT NULL,
                "browser_hash" character varying(64) NOT NULL,
                "target_link_uri" character varying(2048) NOT NULL,
                "deployment_id" character varying(255),
                "login_params" jsonb NOT NULL DEFAULT '{}',
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "used_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_lti_login_states" PRIMARY KEY ("state_hash"),
                CONSTRAINT "fk_lti_login_states_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "idx_lti_login_states_expires" ON "lti_login_states" ("expires_at")`,
    );
    await queryRunner.query(`
            CREATE TABLE "lti_nonces" (
                "platform_id" uuid NOT NULL,
                "nonce" character varying(255) NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "pk_lti_nonces" PRIMARY KEY ("platform_id", "nonce"),
                CONSTRAINT "fk_lti_nonces_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(`CREATE INDEX "idx_lti_nonces_expires" ON "lti_nonces" ("expires_at")`);
    await queryRunner.query(`
            CREATE TABLE "lti_identities" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "issuer" character varying(255) NOT NULL,
                "subject" character varying(255) NOT NULL,
                "user_id" uuid NOT NULL,
                "platform_id" uuid,
                "jwks_url" character varying(2048) NOT NULL,
                "email" character varying(254),
                "link_code_hash" character varying(64),
                "link_code_expires_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "last_launch_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "pk_lti_identities" PRIMARY KEY ("id"),
                CONSTRAINT "fk_lti_identities_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_identities_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_lti_identities_issuer_subject" ON "lti_identities" ("issuer", "subject")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_lti_identities_user" ON "lti_identities" ("user_id")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_lti_identities_link_code" ON "lti_identities" ("link_code_hash") WHERE "link_code_hash" IS NOT NULL`,
    );
    await queryRunner.query(`
            CREATE TABLE "lti_contexts" (
                "platform_id" uuid NOT NULL,
                "context_id" character varying(255) NOT NULL,
                "class_id" uuid NOT NULL,
                "title" character varying(255),
                "label" character varying(255),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_contexts" PRIMARY KEY ("platform_id", "context_id"),
                CONSTRAINT "fk_lti_contexts_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_contexts_class" FOREIGN KEY ("class_id") REFERENCES "classes" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "lti_launches" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "platform_id" uuid NOT NULL,
                "tenant_id" character varying(64) NOT NULL,
                "deployment_id" character varying(255) NOT NULL,
                "user_id" uuid,
                "subject" character varying(255),
                "context_id" character varying(255),
                "class_id" uuid,
                "resource_link_id" character varying(255),
                "message_type" character varying(64) NOT NULL,
                "roles" text array NOT NULL DEFAULT '{}',
                "role" character varying(16) NOT NULL,
                "claims" jsonb NOT NULL DEFAULT '{}',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_launches" PRIMARY KEY ("id"),
                CONSTRAINT "fk_lti_launches_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_launches_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE SET NULL,
                CONSTRAINT "fk_lti_launches_class" FOREIGN KEY ("class_id") REFERENCES "classes" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "idx_lti_launches_platform" ON "lti_launches" ("platform_id", "created_at")`,
    );
    await queryRunner.query(`
            CREATE TABLE "lti_launch_failures" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "platform_id" uuid,
                "tenant_id" character varying(64),
                "error_code" character varying(64) NOT NULL,
                "issuer" character varying(255),
                "deployment_id" character varying(255),
                "subject" character varying(255),
                "context_id" character varying(255),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_launch_failures" PRIMARY KEY ("id"),
                CONSTRAINT "fk_lti_launch_failures_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE CASCADE
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "idx_lti_launch_failures_platform" ON "lti_launch_failures" ("platform_id", "created_at")`,
    );
    await queryRunner.query(`
            CREATE TABLE "lti_registration_links" (
                "token_hash" character varying(64) NOT NULL,
                "tenant_id" character varying(64) NOT NULL,
                "created_by" uuid,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "used_at" TIMESTAMP WITH TIME ZONE,
                "platform_id" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_lti_registration_links" PRIMARY KEY ("token_hash"),
                CONSTRAINT "fk_lti_registration_links_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_lti_registration_links_created_by" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON DELETE SET NULL,
                CONSTRAINT "fk_lti_registration_links_platform" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms" ("id") ON DELETE SET NULL
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'lti_registration_links',
      'lti_launch_failures',
      'lti_launches',
      'lti_contexts',
      'lti_identities',
      'lti_nonces',
      'lti_login_states',
      'lti_tool_keys',
      'lti_deployments',
      'lti_platforms',
    ]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
