// The bench's PostgreSQL: DATABASE_URL when set, else (or with `embedded`) an embedded server of
// its own.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { URL } from 'node:url';
import { freePort } from '../scripts/free-port.mjs';

export async function benchDatabase(name, { embedded = false } = {}) {
  if (process.env.DATABASE_URL && !embedded) {
    return { url: process.env.DATABASE_URL, stop: async () => undefined };
  }
  const { startEmbeddedPostgres } =
    await import('../dist/src/common/database/embedded-postgres.js');
  const root = await mkdtemp(path.join(tmpdir(), `${name}-`));
  // As root, the server runs as the `postgres` user, which must reach its data directory.
  await chmod(root, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(root, 'pg'),
    port: await freePort(),
    database: name.replaceAll('-', '_'),
    persistent: false,
  });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A new database on the server `serverUrl` names (any database of it), dropped by `stop`. */
export async function freshDatabase(serverUrl, name) {
  const { default: pg } = await import('pg');
  const database = `${name.replaceAll('-', '_')}_${Date.now().toString(36)}`;
  const admin = async (sql) => {
    const client = new pg.Client({ connectionString: serverUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    stop: () => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
  };
}
