import pg from 'pg';
import { checkSeenErrorsAreDocumented } from './error-docs-check.mjs';

export default async function globalTeardown() {
  try {
    await releaseDatabases();
  } finally {
    checkSeenErrorsAreDocumented();
  }
}

async function releaseDatabases() {
  const server = globalThis.__dreamseedPg;
  if (server) {
    await server.stop();
    return;
  }
  // On a shared server, remove the databases this run created.
  const client = new pg.Client({ connectionString: process.env.DREAMSEED_TEST_ADMIN_URL });
  await client.connect();
  const leftovers = await client.query(
    `SELECT datname FROM pg_database WHERE datname LIKE 'dreamseed_test_%'`,
  );
  for (const { datname } of leftovers.rows) {
    await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await client.end();
}
