import type { RunningEmbeddedPostgres } from '../common/database/embedded-postgres.js';
import type { EnvVars } from '../config/env.schema.js';

/**
 * Points `env.DATABASE_URL` at a database: the configured one, or an embedded PostgreSQL
 * started here (the caller stops it last, after the app).
 */
export async function resolveDatabase(env: EnvVars): Promise<RunningEmbeddedPostgres | undefined> {
  if (env.DATABASE_URL) {
    return undefined;
  }
  // Loaded only here: production images omit the PostgreSQL binaries and set DATABASE_URL.
  const { startEmbeddedPostgres } = await import('../common/database/embedded-postgres.js');
  const embedded = await startEmbeddedPostgres({
    dataDir: env.EMBEDDED_PG_DIR,
    port: env.EMBEDDED_PG_PORT,
    database: 'dreamseed',
  });
  env.DATABASE_URL = embedded.url;
  return embedded;
}
