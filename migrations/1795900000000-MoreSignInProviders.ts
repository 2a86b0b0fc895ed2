import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** Kakao, Naver and Microsoft accounts beside Google's in `identities`. */
export class MoreSignInProviders1795900000000 implements MigrationInterface {
  name = 'MoreSignInProviders1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "identities" DROP CONSTRAINT "chk_identities_provider"`);
    await queryRunner.query(
      `ALTER TABLE "identities" ADD CONSTRAINT "chk_identities_provider" CHECK ("provider" IN ('google', 'kakao', 'naver', 'microsoft'))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "identities" WHERE "provider" <> 'google'`);
    await queryRunner.query(`ALTER TABLE "identities" DROP CONSTRAINT "chk_identities_provider"`);
    await queryRunner.query(
      `ALTER TABLE "identities" ADD CONSTRAINT "chk_identities_provider" CHECK ("provider" IN ('google'))`,
    );
  }
}
