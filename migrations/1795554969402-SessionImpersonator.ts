import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class SessionImpersonator1795554969402 implements MigrationInterface {
  name = 'SessionImpersonator1795554969402';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "sessions"
            ADD "impersonator_id" uuid
        `);
    await queryRunner.query(`
            ALTER TABLE "sessions"
            ADD CONSTRAINT "fk_sessions_impersonator" FOREIGN KEY ("impersonator_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "sessions" DROP CONSTRAINT "fk_sessions_impersonator"
        `);
    await queryRunner.query(`
            ALTER TABLE "sessions" DROP COLUMN "impersonator_id"
        `);
  }
}
