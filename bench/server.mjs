// One benchmark target per process: `app` (the real app and its whole global pipeline, with a
// small bench module), `app-no-audit` (the same, audit recording switched off), `bare` (bare
// Fastify answering the same JSON) or `bare-with-headers` (the same with our response
// headers), `app-workers` (the app with its queue workers running). Prints `READY <port>`
// when it listens.
// Already loaded by `--require` when started through server-process.mjs (see serverArgs).
import '../dist/src/config/thread-pool.cjs';
import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import Fastify from 'fastify';

const mode = process.argv[2];
const databaseUrl = process.env.BENCH_DATABASE_URL;

async function startBare(withHeaders) {
  const app = Fastify({ logger: false });
  if (withHeaders) {
    // The same response headers as the app: helmet's, request id and rate-limit headers.
    const { staticSecurityHeaders } = await import('../dist/src/common/http/security-headers.js');
    const headers = {
      ...staticSecurityHeaders(),
      'x-ratelimit-limit-anonymous': '100',
      'x-ratelimit-remaining-anonymous': '99',
      'x-ratelimit-reset-anonymous': '3600',
    };
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(headers).header('x-request-id', request.id);
      done();
    });
  }
  app.get('/api/v1/status', async () => ({
    service: 'dreamseed-platform-api',
    version: '0.1.0',
    api_version: 'v1',
    time: new Date().toISOString(),
  }));
  app.post('/api/v1/bench/items', async (request, reply) => {
    reply.code(201);
    return { received: Object.keys(request.body ?? {}).length };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server.address().port;
}

/** A mutating route, declared without TypeScript decorators syntax. */
function benchModule(Access) {
  class BenchController {
    create(body) {
      return { received: Object.keys(body ?? {}).length };
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(BenchController.prototype, 'create');
  Body()(BenchController.prototype, 'create', 0);
  Post('items')(BenchController.prototype, 'create', descriptor);
  HttpCode(201)(BenchController.prototype, 'create', descriptor);
  Controller('bench')(BenchController);
  Access.public()(BenchController);
  class BenchModule {}
  Module({ controllers: [BenchController] })(BenchModule);
  return BenchModule;
}

/**
 * `app-payments`: the app with payments on (STRIPE_* from the parent) and its queue workers
 * running, as in production. `app-payments-flat`: the same, but the request budget never asks
 * the entitlements (what users/me costs without the check).
 */
async function startPaymentsApp(withEntitlements) {
  if (!withEntitlements) {
    const { Entitlements } =
      await import('../dist/src/modules/payments/entitlements/entitlements.service.js');
    Entitlements.prototype.requestBudgetPerHour = () => Promise.resolve(undefined);
  }
  return startApp(true, { QUEUE_WORKERS_ENABLED: process.env.BENCH_QUEUE_WORKERS ?? 'true' });
}

/** `app-workers`: the app with its queue workers running (the LTI bench: roster syncs, scores). */
const WORKERS_ON = { QUEUE_WORKERS_ENABLED: 'true' };

async function startApp(withAudit, extra = {}) {
  const { createApp } = await import('../dist/src/bootstrap/create-app.js');
  const { validateEnv } = await import('../dist/src/config/env.schema.js');
  const { AuditService } = await import('../dist/src/common/audit/audit.service.js');
  const { Access } = await import('../dist/src/common/auth/access.decorator.js');
  const overrides = {
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // The throttler guard still runs on every request; the budget is just out of reach.
    RATE_LIMIT_ANONYMOUS_LIMIT: '1000000000',
    RATE_LIMIT_AUTHENTICATED_LIMIT: '1000000000',
    RATE_LIMIT_MARKET_LIMIT: '1000000000',
    RATE_LIMIT_LOGIN_LIMIT: '1000000000',
    RATE_LIMIT_REGISTER_LIMIT: '1000000000',
    RATE_LIMIT_SIGN_IN_FLOOD_LIMIT: '1000000000',
    QUEUE_WORKERS_ENABLED: 'false',
    ...extra,
  };
  const env = validateEnv({ ...process.env, ...overrides });
  const app = await createApp({ env, modules: [benchModule(Access)] });
  if (!withAudit) {
    app.get(AuditService).record = () => undefined;
  }
  // BENCH_PORT: a port fixed in advance (the LTI bench's PUBLIC_URL names it).
  await app.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' });
  return app.getHttpServer().address().port;
}

/** Raw argon2id verifications, as many in flight as the benchmark has connections. */
async function argon2Raw() {
  const { PasswordHasher } = await import('../dist/src/modules/auth/password-hasher.js');
  const hasher = new PasswordHasher();
  const hash = await hasher.hash('Bench-Pass-2026!');
  const concurrency = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const seconds = Number(process.env.BENCH_DURATION ?? 10);
  const run = async (until) => {
    let done = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          await hasher.verify(hash, 'Bench-Pass-2026!');
          done += 1;
        }
      }),
    );
    return done;
  };
  await run(Date.now() + 2000);
  const started = Date.now();
  const cpu = process.cpuUsage();
  const done = await run(started + seconds * 1000);
  const elapsed = (Date.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    `${JSON.stringify({
      rps: done / elapsed,
      cores: (used.user + used.system) / 1e6 / elapsed,
      threadPool: Number(process.env.UV_THREADPOOL_SIZE),
      // What the pool really got (the variable set too late is not applied).
      threads: readdirSync('/proc/self/task').length,
      concurrency,
    })}\n`,
  );
  process.exit(0);
}

if (mode === 'argon2-raw') {
  await argon2Raw();
}
const port = mode.startsWith('bare')
  ? await startBare(mode === 'bare-with-headers')
  : mode.startsWith('app-payments')
    ? await startPaymentsApp(mode === 'app-payments')
    : await startApp(mode !== 'app-no-audit', mode === 'app-workers' ? WORKERS_ON : {});
process.stderr.write(`READY ${port}\n`);
// A plain exit on SIGTERM, so `--cpu-prof` (BENCH_NODE_FLAGS) can write its profile.
process.on('SIGTERM', () => process.exit(0));
