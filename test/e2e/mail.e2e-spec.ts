import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
