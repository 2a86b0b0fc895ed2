import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class ClassesAndPupilUsernames1795555344806 implements MigrationInterface {
  name = 'ClassesAndPupilUsernames1795555344806';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "classes" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "tenant_id" character varying(64) NOT NULL,
                "name" character varying(200) NOT NULL,
                "subject" character varying(100),
                "grade" character varying(32),
                "term" character varying(32),
                "join_code" character varying(16) NOT NULL,
                "archived" boolean NOT NULL DEFAULT false,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_e207aa15404e9b2ce35910f9f7f" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_classes_join_code" ON "classes" ("join_code")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_classes_tenant" ON "classes" ("tenant_id", "archived")
        `);
    await queryRunner.query(`
            CREATE TABLE "class_members" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "class_id" uuid NOT NULL,
                "user_id" uuid NOT NULL,
                "role" character varying(16) NOT NULL,
                "joined_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "uq_class_members_class_user" UNIQUE ("class_id", "user_id"),
                CONSTRAINT "chk_class_members_role" CHECK ("role" IN ('student', 'teacher', 'assistant')),
                CONSTRAINT "PK_c06d2c3bc732509dcbbab8d5730" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_class_members_user" ON "class_members" ("user_id")
        `);
    await queryRunner.query(`
            ALTER TABLE "memberships"
            ADD "username" character varying(50)
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_memberships_tenant_username" ON "memberships" ("tenant_id", "username")
            WHERE "username" IS NOT NULL
        `);
    await queryRunner.query(`
            ALTER TABLE "memberships"
            ADD CONSTRAINT "chk_memberships_username" CHECK ("username" ~ '^[a-z0-9._-]{3,50}$')
        `);
    await queryRunner.query(`
            ALTER TABLE "classes"
            ADD CONSTRAINT "fk_classes_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "class_members"
            ADD CONSTRAINT "fk_class_members_class" FOREIGN KEY ("class_id") REFERENCES "classes"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    await queryRunner.query(`
            ALTER TABLE "class_members"
            ADD CONSTRAINT "fk_class_members_user" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "class_members" DROP CONSTRAINT "fk_class_members_user"
        `);
    await queryRunner.query(`
            ALTER TABLE "class_members" DROP CONSTRAINT "fk_class_members_class"
        `);
    await queryRunner.query(`
            ALTER TABLE "classes" DROP CONSTRAINT "fk_classes_tenant"
        `);
    await queryRunner.query(`
            ALTER TABLE "memberships" DROP CONSTRAINT "chk_memberships_username"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_memberships_tenant_username"
        `);
    await queryRunner.query(`
            ALTER TABLE "memberships" DROP COLUMN "username"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_class_members_user"
        `);
    await queryRunner.query(`
            DROP TABLE "class_members"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_classes_tenant"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_classes_join_code"
        `);
    await queryRunner.query(`
            DROP TABLE "classes"
        `);
  }
}
