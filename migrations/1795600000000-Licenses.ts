import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * School seat licenses. The database holds the seat limit: an active license never has more
 * seats taken than it has (a CHECK), `used_seats` moves in the same transaction as the seat
 * rows (taken by a guarded UPDATE, given back by a trigger on every delete), and a
 * (license, user) pair is one seat however often it is assigned. A license whose
 * seats were cut below those taken is `over_allocated`, and only then may it hold more.
 * Reminders sent are kept per license, term (its expiry) and threshold, so each goes once.
 */
export class Licenses1795600000000 implements MigrationInterface {
  name = 'Licenses1795600000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "school_licenses" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "tenant_id" character varying(64) NOT NULL,
                "plan_id" uuid,
                "total_seats" integer NOT NULL,
                "used_seats" integer NOT NULL DEFAULT 0,
                "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'active',
                "source" character varying(255) NOT NULL DEFAULT 'manual',
                "created_by" uuid,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_school_licenses" PRIMARY KEY ("id"),
                CONSTRAINT "chk_school_licenses_total_seats" CHECK ("total_seats" BETWEEN 0 AND 1000000),
                CONSTRAINT "chk_school_licenses_used_seats" CHECK ("used_seats" >= 0),
                CONSTRAINT "chk_school_licenses_status" CHECK ("status" IN ('active', 'over_allocated', 'expired', 'revoked')),
                CONSTRAINT "chk_school_licenses_seat_limit" CHECK ("used_seats" <= "total_seats" OR "status" <> 'active'),
                CONSTRAINT "chk_school_licenses_over_allocated" CHECK ("status" <> 'over_allocated' OR "used_seats" > "total_seats"),
                CONSTRAINT "chk_school_licenses_term" CHECK ("expires_at" > "starts_at"),
                CONSTRAINT "fk_school_licenses_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_school_licenses_plan" FOREIGN KEY ("plan_id") REFERENCES "subscription_plans" ("id") ON DELETE SET NULL,
                CONSTRAINT "fk_school_licenses_created_by" FOREIGN KEY ("created_by") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(
      `CREATE INDEX "idx_school_licenses_tenant" ON "school_licenses" ("tenant_id", "expires_at")`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_school_licenses_source" ON "school_licenses" ("source") WHERE "source" <> 'manual'`,
    );
    await queryRunner.query(`
            CREATE TABLE "license_seats" (
                "license_id" uuid NOT NULL,
                "user_id" uuid NOT NULL,
                "assigned_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "assigned_by" uuid,
                "how" character varying(8) NOT NULL,
                CONSTRAINT "pk_license_seats" PRIMARY KEY ("license_id", "user_id"),
                CONSTRAINT "chk_license_seats_how" CHECK ("how" IN ('admin', 'class', 'auto', 'lti')),
                CONSTRAINT "fk_license_seats_license" FOREIGN KEY ("license_id") REFERENCES "school_licenses" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_license_seats_user" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE CASCADE,
                CONSTRAINT "fk_license_seats_assigned_by" FOREIGN KEY ("assigned_by") REFERENCES "users" ("id") ON DELETE SET NULL
            )
        `);
    await queryRunner.query(`CREATE INDEX "idx_license_seats_user" ON "license_seats" ("user_id")`);
    // Seats can go without our code deleting them (an account erased cascades to its seats): the
    // count follows every delete here, and a license with room again turns active.
    await queryRunner.query(`
            CREATE FUNCTION "license_seats_released"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              UPDATE "school_licenses" l SET
                "used_seats" = l."used_seats" - gone.n,
                "status" = CASE WHEN l."status" = 'over_allocated' AND l."used_seats" - gone.n <= l."total_seats"
                                THEN 'active' ELSE l."status" END,
                "updated_at" = now()
              FROM (SELECT "license_id", count(*)::int AS n FROM released GROUP BY "license_id") gone
              WHERE l."id" = gone."license_id";
              RETURN NULL;
            END $$
        `);
    await queryRunner.query(`
            CREATE TRIGGER "trg_license_seats_released" AFTER DELETE ON "license_seats"
            REFERENCING OLD TABLE AS released FOR EACH STATEMENT
            EXECUTE FUNCTION "license_seats_released"()
        `);
    await queryRunner.query(`
            CREATE TABLE "license_reminders" (
                "license_id" uuid NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "days_before" integer NOT NULL,
                "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "pk_license_reminders" PRIMARY KEY ("license_id", "expires_at", "days_before"),
                CONSTRAINT "fk_license_reminders_license" FOREIGN KEY ("license_id") REFERENCES "school_licenses" ("id") ON DELETE CASCADE
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "license_reminders"`);
    await queryRunner.query(`DROP TABLE "license_seats"`);
    await queryRunner.query(`DROP FUNCTION "license_seats_released"()`);
    await queryRunner.query(`DROP TABLE "school_licenses"`);
  }
}
