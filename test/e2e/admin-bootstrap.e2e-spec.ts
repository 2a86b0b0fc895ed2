import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, login, uniqueEmail } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CLI = path.resolve(import.meta.dirname, '../../.test-dist/src/cli.js');
const run = promisify(execFile);

describe('the first super admin', () => {
  let t: TestApp;
  const email = uniqueEmail('root');

  beforeAll(async () => {
    t = await startTestApp({
      env: { SUPERADMIN_EMAIL: email, SUPERADMIN_PASSWORD: 'Platform-Ops-2026!' },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should be created at start from SUPERADMIN_EMAIL and SUPERADMIN_PASSWORD', async () => {
    const tokens = await login(t, { email, password: 'Platform-Ops-2026!' });
    const claims = JSON.parse(
      Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { prole: string };
    expect(claims.prole).toBe('super_admin');
    const me = await requestJson(`${t.baseUrl}/api/v1/users/me`, {
      headers: bearer(tokens.access_token),
    });
    expect(me.body).toMatchObject({ platform_role: 'super_admin', email_verified: true });
  });

  it('should be created or promoted by `npm run cli -- create-admin`', async () => {
    const cliEmail = uniqueEmail('ops');
    const env = {
      ...process.env,
      DATABASE_URL: t.databaseUrl,
      SUPERADMIN_EMAIL: '',
      SUPERADMIN_PASSWORD: 'Cli-Created-2026!',
      MAIL_OUTBOX_DIR: t.outboxDir,
    };
    const created = await run(process.execPath, [CLI, 'create-admin', '--email', cliEmail], {
      env,
    });
    expect(created.stdout).toContain(`super admin ${cliEmail}: created`);
    await login(t, { email: cliEmail, password: 'Cli-Created-2026!' });
    const again = await run(process.execPath, [CLI, 'create-admin', '--email', cliEmail], { env });
    expect(again.stdout).toContain('unchanged');

    const weak = run(process.execPath, [CLI, 'create-admin', '--email', uniqueEmail('weak')], {
      env: { ...env, SUPERADMIN_PASSWORD: 'short' },
    });
    await expect(weak).rejects.toMatchObject({ code: 1 });
    const rows = await query<{ platform_role: string }>(
      t.databaseUrl,
      `SELECT platform_role FROM users WHERE email = $1`,
      [cliEmail],
    );
    expect(rows).toEqual([{ platform_role: 'super_admin' }]);
  });

  it("should explain a refused password: it must not contain the email's local part", async () => {
    const weakEmail = uniqueEmail('ops');
    const localPart = weakEmail.split('@')[0] ?? '';
    const refused = run(process.execPath, [CLI, 'create-admin', '--email', weakEmail], {
      env: {
        ...process.env,
        DATABASE_URL: t.databaseUrl,
        SUPERADMIN_EMAIL: '',
        SUPERADMIN_PASSWORD: `X${localPart}-2026!`,
        MAIL_OUTBOX_DIR: t.outboxDir,
      },
    });
    await expect(refused).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(
        `password must not contain the email's local part (the part before @: "${localPart}")`,
      ),
    });
    // One CLI start (a Nest context) takes tens of seconds on a loaded machine.
  }, 120_000);

  it('should publish the account metrics', async () => {
    await requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email, password: 'Wrong-password-1' },
    });
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/user_login_attempts_total\{status="success"\} [1-9]/);
    expect(metrics).toMatch(/user_failed_login_attempts_total\{reason="invalid_password"\} [1-9]/);
    expect(metrics).toMatch(/user_active_sessions [1-9]/);
    expect(metrics).toContain('user_login_duration_seconds_bucket');
    expect(metrics).toContain('user_account_lockouts_total');
    expect(metrics).toContain('user_signup_total');
  });
});
