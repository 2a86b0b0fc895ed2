import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class AuditLogKeysetIndexes1795553863607 implements MigrationInterface {
  name = 'AuditLogKeysetIndexes1795553863607';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."idx_audit_logs_tenant_time"
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_audit_logs_time" ON "audit_logs" ("created_at", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_audit_logs_tenant_time" ON "audit_logs" ("tenant_id", "created_at", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."idx_audit_logs_tenant_time"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_audit_logs_time"
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_audit_logs_tenant_time" ON "audit_logs" USING btree ("tenant_id", "created_at")
        `);
  }
}
