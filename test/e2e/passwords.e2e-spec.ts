import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  bearer,
  createUser,
  login,
  mailTo,
  tokenFromMail,
  uniqueEmail,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { requestJson } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const RESET_SUBJECT = 'Reset your DreamSeed password';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

describe('passwords', () => {
  let t: TestApp;
  const clock = new ManualClock();
  const api = (path: string): string => `${t.baseUrl}/api/v1${path}`;
  const me = (token: string) => requestJson(api('/users/me'), { headers: bearer(token) });
  const forgot = (email: string) =>
    requestJson(api('/auth/forgot-password'), { method: 'POST', json: { email } });
  const reset = (token: string, password: string) =>
    requestJson(api('/auth/reset-password'), {
      method: 'POST',
      json: { token, new_password: password },
    });

  beforeAll(async () => {
    t = await startTestApp({ clock });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should reset a forgotten password once, ending every session and clearing a lockout', async () => {
    const user = await createUser(t);
    const session = await login(t, user);
    for (let i = 0; i < 5; i += 1) {
      await requestJson(api('/auth/login'), {
        method: 'POST',
        json: { email: user.email, password: 'Wrong-password-1' },
      });
    }
    expect((await forgot(user.email)).status).toBe(202);
    const token = tokenFromMail(await mailTo(t, user.email, RESET_SUBJECT));

    const weak = await reset(token, 'short');
    expect(weak.status).toBe(400);
    expect(weak.body.error_code).toBe('COMMON_VALIDATION_FAILED');
    const local = user.email.split('@')[0] ?? '';
    const containsEmail = await reset(token, `X1!${local}`);
    expect(containsEmail.status).toBe(400);
    // A refused password leaves the link usable.
    expect((await reset(token, 'Brand-New-Pass-9')).status).toBe(204);
    const replay = await reset(token, 'Another-Pass-9');
    expect(replay.status).toBe(400);
    expect(replay.body.error_code).toBe('AUTH_ONE_TIME_TOKEN_INVALID');

    expect((await me(session.access_token)).status).toBe(401);
    await login(t, { email: user.email, password: 'Brand-New-Pass-9' });
    const old = await requestJson(api('/auth/login'), {
      method: 'POST',
      json: { email: user.email, password: user.password },
    });
    expect(old.status).toBe(401);
    const events = await query(
      t.databaseUrl,
      `SELECT 1 FROM outbox_events WHERE type = 'user.password_changed' AND aggregate_id = $1`,
      [user.id],
    );
    expect(events).toHaveLength(1);
  });

  it('should refuse a reset link after 30 minutes', async () => {
    const user = await createUser(t);
    await forgot(user.email);
    const token = tokenFromMail(await mailTo(t, user.email, RESET_SUBJECT));
    clock.advance(31 * 60_000);
    const late = await reset(token, 'Brand-New-Pass-9');
    expect(late.status).toBe(400);
    expect(late.body.error_code).toBe('AUTH_ONE_TIME_TOKEN_INVALID');
  });

  it('should answer 202 for an unknown address and send nothing', async () => {
    const unknown = uniqueEmail('nobody');
    const response = await forgot(unknown);
    expect(response.status).toBe(202);
    expect(response.body).toBeNull();
    const resend = await requestJson(api('/auth/resend-verification'), {
      method: 'POST',
      json: { email: unknown },
    });
    expect(resend.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { readdir, readFile } = await import('node:fs/promises');
    for (const file of await readdir(t.outboxDir)) {
      expect(await readFile(`${t.outboxDir}/${file}`, 'utf8')).not.toContain(unknown);
    }
  });

  it.each([
    ['forgot-password', true],
    ['resend-verification', false],
  ])(
    'should answer %s as fast for a known address as for an unknown one',
    async (route, verified) => {
      // Verified for a reset, unverified for a new verification link: the cases that do work.
      const known = await createUser(t, { verified });
      const unknown = uniqueEmail('nobody');
      const send = (email: string) =>
        requestJson(api(`/auth/${route}`), { method: 'POST', json: { email } });
      const times = { known: [] as number[], unknown: [] as number[] };
      // Interleaved, so drift in the machine's load hits both alike; the first round warms up.
      for (let i = 0; i < 21; i += 1) {
        for (const kind of i % 2 === 0
          ? (['known', 'unknown'] as const)
          : (['unknown', 'known'] as const)) {
          const started = process.hrtime.bigint();
          const response = await send(kind === 'known' ? known.email : unknown);
          const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
          expect(response.status).toBe(202);
          if (i > 0) {
            times[kind].push(elapsed);
          }
        }
        // The known address's job runs now, not inside the next measurement.
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      // Before, the known address cost a lookup, a token transaction and a queued mail: 15–20 ms.
      // Now both only queue a job: the known address is not slower beyond noise (was 15–20 ms).
      const unknownMs = median(times.unknown);
      expect(median(times.known)).toBeLessThan(unknownMs + Math.max(5, 0.3 * unknownMs));
      // The work still happens, after the answer.
      const subject = verified ? RESET_SUBJECT : 'Confirm your DreamSeed email';
      expect(await mailTo(t, known.email, subject)).toContain('#token=');
    },
  );

  it('should expire a verification link after 24 hours, and resend a working one', async () => {
    const email = uniqueEmail('late');
    await requestJson(api('/auth/register'), {
      method: 'POST',
      json: { email, password: 'Seed-2026-garden', full_name: 'Late Verifier' },
    });
    const first = tokenFromMail(await mailTo(t, email, 'Confirm your DreamSeed email'));
    clock.advance(24 * 3600_000 + 1000);
    const expired = await requestJson(api('/auth/verify-email'), {
      method: 'POST',
      json: { token: first },
    });
    expect(expired.status).toBe(400);
    const { rm, readdir } = await import('node:fs/promises');
    for (const file of await readdir(t.outboxDir)) {
      await rm(`${t.outboxDir}/${file}`);
    }
    expect(
      (await requestJson(api('/auth/resend-verification'), { method: 'POST', json: { email } }))
        .status,
    ).toBe(202);
    const second = tokenFromMail(await mailTo(t, email, 'Confirm your DreamSeed email'));
    expect(second).not.toBe(first);
    const verified = await requestJson(api('/auth/verify-email'), {
      method: 'POST',
      json: { token: second },
    });
    expect(verified.status).toBe(204);
  });

  it('should change a password with the current one and end the other sessions', async () => {
    const user = await createUser(t);
    const here = await login(t, user);
    const elsewhere = await login(t, user);
    const wrong = await requestJson(api('/users/me/password'), {
      method: 'POST',
      headers: bearer(here.access_token),
      json: { current_password: 'Not-my-password-1', new_password: 'Brand-New-Pass-9' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error_code).toBe('USER_PASSWORD_INCORRECT');
    const changed = await requestJson(api('/users/me/password'), {
      method: 'POST',
      headers: bearer(here.access_token),
      json: { current_password: user.password, new_password: 'Brand-New-Pass-9' },
    });
    expect(changed.status).toBe(204);
    expect((await me(here.access_token)).status).toBe(200);
    expect((await me(elsewhere.access_token)).status).toBe(401);
    await login(t, { email: user.email, password: 'Brand-New-Pass-9' });
  });
});
