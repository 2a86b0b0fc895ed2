import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Failed sign-ins counted per submitted identifier when no account with a password answers
 * to it (so unknown addresses lock like known ones), and the time of a user's last failure
 * (so both counts forget failures older than the lock window alike).
 */
export class SignInFailuresPerIdentifier1795570100000 implements MigrationInterface {
  name = 'SignInFailuresPerIdentifier1795570100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "login_failures" (
                "identifier_hash" bytea NOT NULL,
                "failed_count" integer NOT NULL,
                "last_failed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "locked_until" TIMESTAMP WITH TIME ZONE,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "pk_login_failures" PRIMARY KEY ("identifier_hash")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_login_failures_expires_at" ON "login_failures" ("expires_at")
        `);
    await queryRunner.query(`
            ALTER TABLE "users"
            ADD "last_failed_login_at" TIMESTAMP WITH TIME ZONE
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "users" DROP COLUMN "last_failed_login_at"
        `);
    await queryRunner.query(`
            DROP TABLE "login_failures"
        `);
  }
}
