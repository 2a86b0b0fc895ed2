import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/common/database/typeorm-options.js';

const TEMPLATE = 'dreamseed_test_template';
// Any constant: serialises template creation between test workers.
const TEMPLATE_LOCK = 727_001;

export function adminUrl(): string {
  const url = process.env.DREAMSEED_TEST_ADMIN_URL;
  if (!url) {
    throw new Error('DREAMSEED_TEST_ADMIN_URL is unset: run tests through jest (global setup)');
  }
  return url;
}

export function databaseUrl(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Migrates the template database once per run (the first test file to need it does the work,
 * under an advisory lock); a template from an earlier run is rebuilt when migrations changed.
 */
async function ensureTemplate(client: pg.Client): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
  try {
    const runId = process.env.DREAMSEED_TEST_RUN_ID;
    const found = await client.query<{ description: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS description FROM pg_database WHERE datname = $1`,
      [TEMPLATE],
    );
    if (found.rowCount === 1 && found.rows[0]?.description === runId) {
      return;
    }
    await client.query(`DROP DATABASE IF EXISTS "${TEMPLATE}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${TEMPLATE}"`);
    const dataSource = new DataSource(
      buildDataSourceOptions({
        url: databaseUrl(adminUrl(), TEMPLATE),
        poolSize: 2,
        runMigrations: false,
      }),
    );
    await dataSource.initialize();
    await dataSource.runMigrations();
    await dataSource.destroy();
    await client.query(`COMMENT ON DATABASE "${TEMPLATE}" IS '${runId ?? ''}'`);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
  }
}

/** A fresh database for one test file, copied from the migrated template in milliseconds. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `dreamseed_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient(async (client) => {
    await ensureTemplate(client);
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${TEMPLATE}"`);
  });
  return {
    url: databaseUrl(adminUrl(), name),
    drop: async () => {
      await withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}
