import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class UserMustChangePassword1795555095510 implements MigrationInterface {
  name = 'UserMustChangePassword1795555095510';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "users"
            ADD "must_change_password" boolean NOT NULL DEFAULT false
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "users" DROP COLUMN "must_change_password"
        `);
  }
}
