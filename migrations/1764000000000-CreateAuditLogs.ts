import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditLogs1764000000000 implements MigrationInterface {
  name = 'CreateAuditLogs1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "audit_logs" (
        "id" uuid NOT NULL DEFAULT gen_random_uuid(),
        "actor_type" varchar(16) NOT NULL,
        "actor_id" varchar(64),
        "on_behalf_of" varchar(64),
        "tenant_id" varchar(64),
        "action" varchar(128) NOT NULL,
        "resource_type" varchar(64),
        "resource_id" varchar(128),
        "outcome" varchar(16) NOT NULL,
        "status_code" smallint,
        "ip" varchar(64),
        "user_agent" varchar(512),
        "request_id" varchar(128),
        "metadata" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT "pk_audit_logs" PRIMARY KEY ("id"),
        CONSTRAINT "chk_audit_logs_actor_type"
          CHECK ("actor_type" IN ('user', 'api_key', 'market', 'system', 'anonymous')),
        CONSTRAINT "chk_audit_logs_outcome"
          CHECK ("outcome" IN ('success', 'failure', 'denied', 'error'))
      )
    `);
    await queryRunner.query(
      `CREATE INDEX "idx_audit_logs_tenant_time" ON "audit_logs" ("tenant_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_logs_actor_time" ON "audit_logs" ("actor_id", "created_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "idx_audit_logs_action_time" ON "audit_logs" ("action", "created_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "audit_logs"`);
  }
}
