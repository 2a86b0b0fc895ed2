import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class LinkedIdentities1795558685049 implements MigrationInterface {
  name = 'LinkedIdentities1795558685049';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "identities" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "user_id" uuid NOT NULL,
                "provider" character varying(32) NOT NULL,
                "subject" character varying(255) NOT NULL,
                "email" character varying(254),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "chk_identities_provider" CHECK ("provider" IN ('google')),
                CONSTRAINT "PK_7b2f8cccf4ac6a2d7e6e9e8b1f6" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_identities_user_provider" ON "identities" ("user_id", "provider")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_identities_provider_subject" ON "identities" ("provider", "subject")
        `);
    await queryRunner.query(`
            ALTER TABLE "one_time_tokens"
            ADD "context" jsonb
        `);
    await queryRunner.query(`
            ALTER TABLE "one_time_tokens" DROP CONSTRAINT "chk_one_time_tokens_purpose"
        `);
    await queryRunner.query(`
            ALTER TABLE "one_time_tokens"
            ADD CONSTRAINT "chk_one_time_tokens_purpose"
            CHECK ("purpose" IN ('email_verification', 'password_reset', 'oauth_code'))
        `);
    await queryRunner.query(`
            ALTER TABLE "identities"
            ADD CONSTRAINT "fk_identities_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "identities" DROP CONSTRAINT "fk_identities_user"
        `);
    await queryRunner.query(`
            DELETE FROM "one_time_tokens" WHERE "purpose" = 'oauth_code'
        `);
    await queryRunner.query(`
            ALTER TABLE "one_time_tokens" DROP CONSTRAINT "chk_one_time_tokens_purpose"
        `);
    await queryRunner.query(`
            ALTER TABLE "one_time_tokens"
            ADD CONSTRAINT "chk_one_time_tokens_purpose"
            CHECK ("purpose" IN ('email_verification', 'password_reset'))
        `);
    await queryRunner.query(`
            ALTER TABLE "one_time_tokens" DROP COLUMN "context"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_identities_provider_subject"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_identities_user_provider"
        `);
    await queryRunner.query(`
            DROP TABLE "identities"
        `);
  }
}
