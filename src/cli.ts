import './config/thread-pool.js';
import 'reflect-metadata';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createApp } from './bootstrap/create-app.js';
import { resolveDatabase } from './bootstrap/database.js';
import { loadEnvironment } from './config/load-env.js';
import { SuperAdminBootstrap } from './modules/auth/super-admin.bootstrap.js';

const USAGE = `usage: npm run cli -- create-admin --email <address> [--name "<full name>"]
  The password is read from SUPERADMIN_PASSWORD, or asked for on the terminal.
  An existing account is promoted to super admin and keeps its password.`;

async function readPassword(fromEnv: string | undefined): Promise<string> {
  if (fromEnv) {
    return fromEnv;
  }
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await terminal.question('Password for the new super admin: ')).trim();
  } finally {
    terminal.close();
  }
}

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, name: { type: 'string' } },
  });
  if (!values.email) {
    throw new Error(USAGE);
  }
  const env = loadEnvironment();
  // A one-off command: no HTTP listener, no queue workers, quiet logs.
  env.QUEUE_WORKERS_ENABLED = false;
  env.LOG_LEVEL = 'warn';
  env.SWAGGER_ENABLED = false;
  const embedded = await resolveDatabase(env);
  const app = await createApp({ env });
  try {
    const bootstrap = app.get(SuperAdminBootstrap);
    const outcome = await bootstrap.ensure({
      email: values.email,
      fullName: values.name,
      password: (await bootstrap.exists(values.email))
        ? undefined
        : await readPassword(env.SUPERADMIN_PASSWORD),
    });
    process.stdout.write(`super admin ${values.email}: ${outcome}\n`);
  } finally {
    await app.close();
    await embedded?.stop();
  }
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<void>> = {
  'create-admin': createAdmin,
};
const run = command ? commands[command] : undefined;
if (!run) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}
run(rest).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
