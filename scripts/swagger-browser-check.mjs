// Swagger UI in a real browser, as an admin uses it: the built app (`node dist/src/entry.cjs`, its
// embedded PostgreSQL in a temporary directory) on a free port, Debian's chromium driven by
// playwright-core. Signs in with POST /api/v1/auth/login through "Try it out", pastes the
// access token into Authorize, executes three routes and expects 200 in the page each time,
// with no console error (a Content-Security-Policy refusal is one). Run after `npm run build`.
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { freePort } from './free-port.mjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN = { email: 'swagger-check@school.test', password: 'Swagger-2026-check' };
const ROUTES = [
  ['get', '/api/v1/users/me'],
  ['get', '/api/v1/classes'],
  ['get', '/health/liveness'],
];
const TIMEOUT_MS = 30_000;

async function startApp(dataDir) {
  const port = await freePort();
  // Unset, not empty: the embedded database, rate limits in memory, queues on PostgreSQL.
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
  const app = spawn(process.execPath, ['dist/src/entry.cjs'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      EMBEDDED_PG_DIR: path.join(dataDir, 'postgres'),
      EMBEDDED_PG_PORT: String(await freePort()),
      JWT_PRIVATE_KEY_FILE: path.join(dataDir, 'signing-key.pem'),
      MAIL_OUTBOX_DIR: path.join(dataDir, 'mail'),
      SUPERADMIN_EMAIL: ADMIN.email,
      SUPERADMIN_PASSWORD: ADMIN.password,
    },
  });
  let output = '';
  app.stdout.on('data', (chunk) => (output += chunk));
  app.stderr.on('data', (chunk) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  // A first start creates the database and migrates it: slow on a busy machine.
  const deadline = Date.now() + 180_000;
  let last = 'no answer';
  for (;;) {
    if (app.exitCode !== null) {
      throw new Error(`the app exited (${app.exitCode}):\n${output}`);
    }
    const ready = await fetch(`${baseUrl}/health/readiness`).then(
      async (response) => {
        last = `${response.status} ${await response.text()}`;
        return response.ok;
      },
      () => false,
    );
    if (ready) {
      return { app, baseUrl, output: () => output };
    }
    if (Date.now() > deadline) {
      throw new Error(`the app did not become ready (readiness: ${last}):\n${output}`);
    }
    await sleep(250);
  }
}

function stopApp(app) {
  if (app.exitCode !== null) {
    return Promise.resolve();
  }
  // SIGTERM: the app stops its embedded database before exiting.
  return new Promise((resolve) => {
    app.once('exit', resolve);
    app.kill('SIGTERM');
  });
}

/**
 * Swagger UI renders a long document's operations as the page scrolls (a virtualized list): an
 * operation far down is not in the page until a reader scrolls to it, so scroll as they would.
 */
async function scrollUntilRendered(page, block) {
  if ((await block.count()) > 0) {
    return;
  }
  await page.evaluate(() => globalThis.scrollTo(0, 0));
  for (let step = 0; step < 400 && (await block.count()) === 0; step += 1) {
    await page.evaluate(() => globalThis.scrollBy(0, 300));
    await page.waitForTimeout(50);
  }
  await block.first().scrollIntoViewIfNeeded();
}

/** Opens an operation, "Try it out", optionally replaces the body, "Execute"; returns the page's status and body. */
async function execute(page, method, route, body) {
  const block = page.locator(`.opblock-${method}`, {
    has: page.locator(`.opblock-summary-path[data-path="${route}"]`),
  });
  await scrollUntilRendered(page, block);
  await block.locator('.opblock-summary').first().click();
  await block.locator('button.try-out__btn').click();
  if (body !== undefined) {
    await block.locator('textarea.body-param__text').fill(JSON.stringify(body));
  }
  await block.locator('button.execute').click();
  const status = block.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor({ timeout: TIMEOUT_MS });
  const text = (await status.innerText()).trim();
  const responseBody = await block
    .locator('.live-responses-table .response-col_description pre')
    .first()
    .innerText();
  return { status: text, body: responseBody };
}

async function check(baseUrl) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const problems = [];
  try {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT_MS);
    page.on('console', (message) => {
      if (message.type() === 'error') {
        problems.push(`console error: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));

    await page.goto(`${baseUrl}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
    const title = await page.title();
    if (title !== 'DreamSeed Platform API') {
      problems.push(`page title: ${JSON.stringify(title)}`);
    }

    const signIn = await execute(page, 'post', '/api/v1/auth/login', ADMIN);
    if (signIn.status !== '200') {
      throw new Error(`sign-in through Try it out answered ${signIn.status}: ${signIn.body}`);
    }
    const { access_token: token } = JSON.parse(signIn.body);
    console.log('POST /api/v1/auth/login -> 200 (through Try it out)');

    await page.locator('.auth-wrapper button.authorize').click();
    const bearer = page.locator('.modal-ux .auth-container', {
      has: page.locator('h4', { hasText: 'bearer' }),
    });
    await bearer.locator('input').fill(token);
    await bearer.locator('button.authorize').click();
    await bearer.locator('button.btn-done').click();
    console.log('Authorize: bearer token set');

    for (const [method, route] of ROUTES) {
      const answer = await execute(page, method, route);
      console.log(`${method.toUpperCase()} ${route} -> ${answer.status}`);
      if (answer.status !== '200') {
        problems.push(`${method.toUpperCase()} ${route} answered ${answer.status}: ${answer.body}`);
      }
    }
  } finally {
    await browser.close();
  }
  return problems;
}

const dataDir = await mkdtemp(path.join(tmpdir(), 'dreamseed-swagger-check-'));
// Run as root, the embedded database runs as the postgres user, who must write here.
await chmod(dataDir, 0o777);
let started;
let problems = [];
try {
  started = await startApp(dataDir);
  problems = await check(started.baseUrl);
} catch (error) {
  problems.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
} finally {
  if (started) {
    await stopApp(started.app);
  }
  // The database server's last writes may still land while it exits.
  await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
if (problems.length > 0) {
  console.error(`Swagger UI check failed:\n- ${problems.join('\n- ')}`);
  if (started) {
    console.error(`app output:\n${started.output()}`);
  }
  process.exit(1);
}
console.log('Swagger UI check passed');
