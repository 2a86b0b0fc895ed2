// The bench's PostgreSQL: DATABASE_URL when set, else an embedded server of its own.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function benchDatabase(name) {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, stop: async () => undefined };
  }
  const { startEmbeddedPostgres } =
    await import('../dist/src/common/database/embedded-postgres.js');
  const root = await mkdtemp(path.join(tmpdir(), `${name}-`));
  // As root, the server runs as the `postgres` user, which must reach its data directory.
  await chmod(root, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: path.join(root, 'pg'),
    port: 54400 + Math.floor(Math.random() * 590),
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
