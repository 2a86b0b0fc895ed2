import './config/thread-pool.cjs';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap/create-app.js';
import { resolveDatabase } from './bootstrap/database.js';
import { assertPortAvailable, portProblem } from './bootstrap/http-port.js';
import type { EnvVars } from './config/env.schema.js';
import { loadEnvironment } from './config/load-env.js';

async function bootstrap(): Promise<void> {
  let env: EnvVars;
  try {
    env = loadEnvironment();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }

  try {
    await assertPortAvailable(env.PORT, env.HOST);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }

  const embedded = await resolveDatabase(env);

  const app = await createApp({ env });
  const logger = new Logger('Bootstrap');
  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.log({ signal }, 'shutting down');
    setTimeout(() => process.exit(1), env.SHUTDOWN_TIMEOUT_MS).unref();
    // Order matters: stop accepting and finish in-flight requests, then let workers finish
    // their jobs and pools close, and stop the embedded database last.
    await app.getHttpAdapter().getInstance().close();
    await app.close();
    await embedded?.stop();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, (received) => void shutdown(received));
  }
  try {
    await app.listen({ port: env.PORT, host: env.HOST });
  } catch (error) {
    const problem = portProblem(error, env.PORT, env.HOST);
    if (!problem) {
      throw error;
    }
    process.stderr.write(`${problem}\n`);
    await app.close();
    await embedded?.stop();
    process.exit(1);
  }
  logger.log({ url: await app.getUrl(), embedded_database: embedded !== undefined }, 'listening');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `Failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
