import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, createTenant, createUser, login, uniqueEmail } from '../factories/accounts.js';
import { activateTenant, market, MARKET_KEY } from '../factories/market.js';
import { requestJson, waitFor } from '../support/http.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBE = 'test/fixtures/probe.module.ts#ProbeModule';

const sendProbeMail = (t: TestApp, to: string, subject: string) =>
  requestJson<{ job_id: string }>(`${t.baseUrl}/api/v1/probe/mail`, {
    method: 'POST',
    json: { to, subject },
  });

describe('mail over SMTP', () => {
  let t: TestApp;
  const smtp = new SmtpSink();

  beforeAll(async () => {
    const port = await smtp.start();
    t = await startTestApp({
      fixtures: [PROBE],
      env: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(port),
        SMTP_USER: smtp.user,
        SMTP_PASSWORD: smtp.pass,
        MAIL_FROM: 'DreamSeed <no-reply@dreamseed.test>',
        MARKET_API_KEYS: MARKET_KEY,
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it('should deliver a queued mail to the SMTP server', async () => {
    const response = await sendProbeMail(t, 'student@school.test', 'Verify your email');
    expect(response.status).toBe(202);
    expect(response.body.job_id).toBeTruthy();
    const mail = await waitFor(() =>
      Promise.resolve(smtp.received.find((m) => m.raw.includes('Verify your email'))),
    );
    expect(mail.from).toBe('no-reply@dreamseed.test');
    expect(mail.to).toEqual(['student@school.test']);
    expect(mail.raw).toMatch(/^Subject: Verify your email$/m);
    expect(mail.raw).toContain('Hello from DreamSeed');
  });

  it('should retry a delivery the server refused temporarily', async () => {
    smtp.rejectNext = 1;
    const response = await sendProbeMail(t, 'teacher@school.test', 'Second attempt works');
    expect(response.status).toBe(202);
    const mail = await waitFor(
      () => Promise.resolve(smtp.received.find((m) => m.raw.includes('Second attempt works'))),
      { timeoutMs: 15_000 },
    );
    expect(mail.to).toEqual(['teacher@school.test']);
    expect(smtp.rejectNext).toBe(0);
  });

  // Quoted-printable soft breaks undone, so a sentence can be searched for whole.
  const mailTo = (to: string) =>
    waitFor(() =>
      Promise.resolve(smtp.received.find((m) => m.to.includes(to))?.raw.replace(/=\r?\n/g, '')),
    );

  it('should welcome a market member created with a password without a choose-your-password link', async () => {
    const tenant = await activateTenant(t);
    const email = uniqueEmail('given-password');
    const created = await market(t, 'POST', `/mt/tenant/${tenant}/users`, {
      email,
      name: 'Given Password',
      role: 'teacher',
      password: 'Market-Given-2026!',
    });
    expect(created.status).toBe(201);
    const mail = await mailTo(email);
    expect(mail).toMatch(/^Subject: Welcome to School mt_[0-9a-f]+ on DreamSeed$/m);
    expect(mail).toContain('the password School');
    expect(mail).not.toContain('Choose your password');
    expect(mail).not.toContain('#token=');
    expect(mail).not.toContain('Market-Given-2026!');
  });

  it('should send a market member created without a password the link to choose one', async () => {
    const tenant = await activateTenant(t);
    const email = uniqueEmail('no-password');
    const created = await market(t, 'POST', `/mt/tenant/${tenant}/users`, {
      email,
      name: 'No Password',
      role: 'student',
    });
    expect(created.status).toBe(201);
    const mail = await mailTo(email);
    expect(mail).toContain('Choose your password within 7 days');
    expect(mail).toContain('/reset-password#token=');
  });

  it('should invite "as an admin", with the article the role takes', async () => {
    const school = await createTenant(t);
    const admin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const [adminMail, teacherMail] = [uniqueEmail('new-admin'), uniqueEmail('new-teacher')];
    for (const [email, role] of [
      [adminMail, 'admin'],
      [teacherMail, 'teacher'],
    ]) {
      const invited = await requestJson(`${t.baseUrl}/api/v1/invitations`, {
        method: 'POST',
        headers: bearer(admin.access_token),
        json: { email, role },
      });
      expect(invited.status).toBe(201);
    }
    expect(await mailTo(adminMail)).toContain('on DreamSeed as an admin.');
    expect(await mailTo(teacherMail)).toContain('on DreamSeed as a teacher.');
  });
});

describe('mail without SMTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ fixtures: [PROBE] });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should write the message as an .eml file in the outbox', async () => {
    const response = await sendProbeMail(t, 'parent@family.test', 'Your invitation');
    expect(response.status).toBe(202);
    const file = await waitFor(async () =>
      (await readdir(t.outboxDir)).find((name) => name.endsWith('.eml')),
    );
    const eml = await readFile(path.join(t.outboxDir, file), 'utf8');
    expect(eml).toMatch(/^To: parent@family\.test$/m);
    expect(eml).toMatch(/^Subject: Your invitation$/m);
    expect(eml).toContain('Hello from DreamSeed');
  });
});
