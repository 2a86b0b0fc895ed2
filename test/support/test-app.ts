import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type * as CreateAppModule from '../../src/bootstrap/create-app.js';
import type * as EnvSchemaModule from '../../src/config/env.schema.js';
import { createTestDatabase } from '../setup/test-database.js';
import { loadCompiled } from './compiled.js';
import { recordErrorResponses } from './error-response-log.js';
import type { ManualClock } from './manual-clock.js';

const { createApp } = await loadCompiled<typeof CreateAppModule>('src/bootstrap/create-app.ts');
const { validateEnv } = await loadCompiled<typeof EnvSchemaModule>('src/config/env.schema.ts');

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  databaseUrl: string;
  outboxDir: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string | undefined>;
  /** Compiled fixture modules, e.g. `test/fixtures/probe.module.ts#ProbeModule`. */
  fixtures?: string[];
  /** Share a database with another app (e.g. two instances); a fresh one otherwise. */
  databaseUrl?: string;
  /** A clock the test moves (lockouts, token expiry); the system clock otherwise. */
  clock?: ManualClock;
  /** A fixed port (e.g. one an OAuth provider already knows as the callback); a free one otherwise. */
  port?: number;
}

async function loadFixture(reference: string): Promise<never> {
  const [file, exportName] = reference.split('#');
  const module = await loadCompiled<Record<string, unknown>>(file ?? '');
  return module[exportName ?? ''] as never;
}

/** The real app (Fastify, global pipe, filter, guards, interceptors), listening on a free port. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.databaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? database?.url ?? '';
  const outboxDir = await mkdtemp(path.join(tmpdir(), 'dreamseed-mail-'));
  const overrides: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    MAIL_OUTBOX_DIR: outboxDir,
    RATE_LIMIT_ANONYMOUS_LIMIT: '100000',
    RATE_LIMIT_AUTHENTICATED_LIMIT: '100000',
    RATE_LIMIT_LOGIN_LIMIT: '100000',
    RATE_LIMIT_REGISTER_LIMIT: '100000',
    RATE_LIMIT_ACCOUNT_EMAIL_LIMIT: '100000',
    SMTP_HOST: undefined,
    // Apps of one run share the machine's Redis: each gets its own budgets unless told otherwise.
    RATE_LIMIT_REDIS_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
    ...options.env,
  };
  const env = validateEnv({ ...process.env, ...overrides });
  const app = await createApp({
    env,
    modules: await Promise.all((options.fixtures ?? []).map(loadFixture)),
    clock: options.clock,
  });
  const errorLog = recordErrorResponses(app);
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    databaseUrl,
    outboxDir,
    close: async () => {
      errorLog.flush();
      await app.close();
      await database?.drop();
    },
  };
}
