import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateInvitations1795555217966 implements MigrationInterface {
  name = 'CreateInvitations1795555217966';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "invitations" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "tenant_id" character varying(64) NOT NULL,
                "email" character varying(254) NOT NULL,
                "role" character varying(16) NOT NULL,
                "token_hash" character(64) NOT NULL,
                "invited_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "accepted_at" TIMESTAMP WITH TIME ZONE,
                "accepted_by" uuid,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "chk_invitations_role" CHECK ("role" IN ('student', 'teacher', 'admin')),
                CONSTRAINT "PK_5dec98cfdfd562e4ad3648bbb07" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_invitations_token_hash" ON "invitations" ("token_hash")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_invitations_tenant_created" ON "invitations" ("tenant_id", "created_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "invitations"
            ADD CONSTRAINT "fk_invitations_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "invitations"
            ADD CONSTRAINT "fk_invitations_invited_by" FOREIGN KEY ("invited_by") REFERENCES "users"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "invitations" DROP CONSTRAINT "fk_invitations_invited_by"
        `);
    await queryRunner.query(`
            ALTER TABLE "invitations" DROP CONSTRAINT "fk_invitations_tenant"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_invitations_tenant_created"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_invitations_token_hash"
        `);
    await queryRunner.query(`
            DROP TABLE "invitations"
        `);
  }
}
