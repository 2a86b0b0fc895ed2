import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Read-only views a module publishes for other modules to JOIN on hot paths (every request's
 * session check, API-key sign-in, the profile), so those stay one statement while no module
 * names another module's tables: the owner may change its tables as long as the view stays.
 */
export class PublishedDirectoryViews1795580000000 implements MigrationInterface {
  name = 'PublishedDirectoryViews1795580000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE VIEW "tenant_directory" AS
            SELECT "id", "name", "status" FROM "tenants"
        `);
    await queryRunner.query(`
            CREATE VIEW "account_directory" AS
            SELECT "id", "is_active", "deleted_at", "platform_role", "must_change_password"
            FROM "users"
        `);
    await queryRunner.query(`
            CREATE VIEW "membership_directory" AS
            SELECT "user_id", "tenant_id", "role", "status" FROM "memberships"
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW "membership_directory"`);
    await queryRunner.query(`DROP VIEW "account_directory"`);
    await queryRunner.query(`DROP VIEW "tenant_directory"`);
  }
}
