import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Marks as school-managed only the accounts a school certainly made and nobody else touched:
 * one membership, no platform role, no linked provider, no accepted invitation, never signed
 * in to another tenant, and either a pupil without an email (only schools make those) or an
 * email account still on the temporary password whose address was vouched for when the row
 * was made (registration leaves it unverified). Everything else stays self-managed (null).
 */
export const ACCOUNT_OWNERSHIP_BACKFILL = `
  UPDATE "users" u SET "managed_by_tenant_id" = m."tenant_id"
  FROM "memberships" m
  WHERE m."user_id" = u."id"
    AND u."deleted_at" IS NULL
    AND u."platform_role" IS NULL
    AND (SELECT count(*) FROM "memberships" o WHERE o."user_id" = u."id") = 1
    AND NOT EXISTS (SELECT 1 FROM "identities" i WHERE i."user_id" = u."id")
    AND NOT EXISTS (SELECT 1 FROM "invitations" v WHERE v."accepted_by" = u."id")
    AND NOT EXISTS (
      SELECT 1 FROM "sessions" s
      WHERE s."user_id" = u."id" AND s."tenant_id" IS DISTINCT FROM m."tenant_id")
    AND NOT EXISTS (
      SELECT 1 FROM "login_history" h WHERE h."user_id" = u."id" AND h."provider" <> 'password')
    AND (
      (u."email" IS NULL AND m."username" IS NOT NULL)
      OR (u."must_change_password" AND u."email_verified_at" IS NOT NULL
          AND u."email_verified_at" BETWEEN u."created_at" - interval '5 seconds'
                                      AND u."created_at" + interval '5 seconds')
    )`;

export class AccountOwnership1795570000000 implements MigrationInterface {
  name = 'AccountOwnership1795570000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "users"
            ADD "managed_by_tenant_id" character varying(64)
        `);
    await queryRunner.query(`
            ALTER TABLE "users"
            ADD CONSTRAINT "fk_users_managed_by_tenant" FOREIGN KEY ("managed_by_tenant_id")
            REFERENCES "tenants"("id") ON DELETE SET NULL ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_users_managed_by_tenant" ON "users" ("managed_by_tenant_id")
            WHERE "managed_by_tenant_id" IS NOT NULL
        `);
    await queryRunner.query(`
            ALTER TABLE "class_members"
            ADD "added_by" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "class_members"
            ADD "added_by_role" character varying(16)
        `);
    await queryRunner.query(`
            ALTER TABLE "class_members"
            ADD CONSTRAINT "chk_class_members_added_by_role"
            CHECK ("added_by_role" IN ('admin', 'teacher', 'self'))
        `);
    await queryRunner.query(ACCOUNT_OWNERSHIP_BACKFILL);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "class_members" DROP CONSTRAINT "chk_class_members_added_by_role"
        `);
    await queryRunner.query(`
            ALTER TABLE "class_members" DROP COLUMN "added_by_role"
        `);
    await queryRunner.query(`
            ALTER TABLE "class_members" DROP COLUMN "added_by"
        `);
    await queryRunner.query(`
            DROP INDEX "idx_users_managed_by_tenant"
        `);
    await queryRunner.query(`
            ALTER TABLE "users" DROP CONSTRAINT "fk_users_managed_by_tenant"
        `);
    await queryRunner.query(`
            ALTER TABLE "users" DROP COLUMN "managed_by_tenant_id"
        `);
  }
}
