import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateApiKeys1795554463193 implements MigrationInterface {
  name = 'CreateApiKeys1795554463193';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "api_keys" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "tenant_id" character varying(64),
                "name" character varying(100) NOT NULL,
                "prefix" character varying(16) NOT NULL,
                "key_hash" character(64) NOT NULL,
                "scopes" character varying(32) array NOT NULL,
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                "expires_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_keys_prefix" ON "api_keys" ("prefix")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_api_keys_tenant" ON "api_keys" ("tenant_id", "created_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "api_keys"
            ADD CONSTRAINT "fk_api_keys_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "api_keys"
            ADD CONSTRAINT "fk_api_keys_created_by" FOREIGN KEY ("created_by") REFERENCES "users"("id") ON DELETE
            SET NULL ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "api_keys" DROP CONSTRAINT "fk_api_keys_created_by"
        `);
    await queryRunner.query(`
            ALTER TABLE "api_keys" DROP CONSTRAINT "fk_api_keys_tenant"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_api_keys_tenant"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_api_keys_prefix"
        `);
    await queryRunner.query(`
            DROP TABLE "api_keys"
        `);
  }
}
