import './config/thread-pool.cjs';
import 'reflect-metadata';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { createApp } from './bootstrap/create-app.js';
import { resolveDatabase } from './bootstrap/database.js';
import { loadEnvironment } from './config/load-env.js';
import { SuperAdminBootstrap } from './modules/auth/super-admin.bootstrap.js';
import { LtiToolKeys } from './modules/lti/keys/lti-tool-keys.service.js';

const USAGE = `usage: npm run cli -- create-admin --email <address> [--name "<full name>"]
  The password is read from SUPERADMIN_PASSWORD, or asked for on the terminal.
  An existing account is promoted to super admin and keeps its password.
usage: npm run cli -- lti-keys
  Lists the LTI tool's keys (kid, status, created).
usage: npm run cli -- lti-rotate-key
  A new LTI tool key signs from now on; the previous one stays published in /lti/jwks.
usage: npm run cli -- lti-remove-key --kid=<kid>  (a kid may start with '-': keep the '=')
  Removes a published (no longer signing) key from /lti/jwks.`;

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

type CliApp = Awaited<ReturnType<typeof createApp>>;

/** A one-off command on the app: no HTTP listener, no queue workers, quiet logs. */
async function withApp(
  task: (app: CliApp, env: ReturnType<typeof loadEnvironment>) => Promise<void>,
): Promise<void> {
  const env = loadEnvironment();
  env.QUEUE_WORKERS_ENABLED = false;
  env.LOG_LEVEL = 'warn';
  env.SWAGGER_ENABLED = false;
  const embedded = await resolveDatabase(env);
  const app = await createApp({ env });
  try {
    await task(app, env);
  } finally {
    await app.close();
    await embedded?.stop();
  }
}

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: 'string' }, name: { type: 'string' } },
  });
  const email = values.email;
  if (!email) {
    throw new Error(USAGE);
  }
  await withApp(async (app, env) => {
    const bootstrap = app.get(SuperAdminBootstrap);
    const outcome = await bootstrap.ensure({
      email,
      fullName: values.name,
      password: (await bootstrap.exists(email))
        ? undefined
        : await readPassword(env.SUPERADMIN_PASSWORD),
    });
    process.stdout.write(`super admin ${email}: ${outcome}\n`);
  });
}

async function ltiKeys(args: string[]): Promise<void> {
  parseArgs({ args, options: {} });
  await withApp(async (app) => {
    for (const key of await app.get(LtiToolKeys).list()) {
      process.stdout.write(`${key.kid}\t${key.status}\t${key.createdAt.toISOString()}\n`);
    }
  });
}

async function ltiRotateKey(args: string[]): Promise<void> {
  parseArgs({ args, options: {} });
  await withApp(async (app) => {
    const kid = await app.get(LtiToolKeys).rotate();
    process.stdout.write(`LTI tool key ${kid}: signing (the previous key stays published)\n`);
  });
}

async function ltiRemoveKey(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { kid: { type: 'string' } } });
  const kid = values.kid;
  if (!kid) {
    throw new Error(USAGE);
  }
  await withApp(async (app) => {
    await app.get(LtiToolKeys).remove(kid);
    process.stdout.write(`LTI tool key ${kid}: removed\n`);
  });
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<void>> = {
  'create-admin': createAdmin,
  'lti-keys': ltiKeys,
  'lti-rotate-key': ltiRotateKey,
  'lti-remove-key': ltiRemoveKey,
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
