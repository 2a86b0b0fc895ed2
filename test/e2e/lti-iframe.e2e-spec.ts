import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { createTenant } from '../factories/accounts.js';
import { registerPlatform } from '../factories/lti.js';
import { freePort } from '../support/free-port.js';
import { requestJson } from '../support/http.js';
import { LTI_ROLE, LtiPlatform } from '../support/lti-platform.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * A real browser: the LMS's course page on one site (localhost) frames the tool on another
 * (127.0.0.1). With third-party cookies the state cookie binds the launch; with them blocked
 * (Chrome's phase-out), 1EdTech Platform Storage does, through postMessage to the LMS's page.
 */
describe('LTI launches inside an LMS iframe (headless Chromium)', () => {
  let t: TestApp;
  let lms: LtiPlatform;
  let frontend: Server;
  let frontendUrl: string;
  let toolUrl: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
    }
    const [toolPort, lmsPort, frontendPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    toolUrl = `http://127.0.0.1:${toolPort}`;
    frontendUrl = `http://127.0.0.1:${frontendPort}`;
    frontend = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>DreamSeed web app</h1>');
    });
    await new Promise<void>((resolve) => frontend.listen(frontendPort, '127.0.0.1', resolve));
    lms = new LtiPlatform({
      port: lmsPort,
      clientId: 'tool',
      toolUrl,
      deploymentId: 'dep-1',
      host: 'localhost',
    });
    await lms.start();
    t = await startTestApp({
      port: toolPort,
      env: { PUBLIC_URL: toolUrl, FRONTEND_URL: frontendUrl },
    });
    await registerPlatform(t, await createTenant(t), {
      issuer: lms.issuer,
      clientId: 'tool',
      authLoginUrl: lms.authLoginUrl,
      jwksUrl: lms.jwksUrl,
      deploymentIds: ['dep-1'],
    });
  });

  afterAll(async () => {
    await t.close();
    await lms.stop();
    await new Promise<void>((resolve) => frontend.close(() => resolve()));
  });

  /**
   * `partitioned`: Chromium as shipped, with the phase-out of third-party cookies on: only
   * partitioned (CHIPS) cookies reach the framed tool. `none`: a browser that sends the framed
   * tool no cookie at all (Safari's tracking prevention), made by stripping the Cookie header
   * of every request to the tool.
   */
  const withBrowser = async (
    cookies: 'partitioned' | 'none',
    run: (page: Page) => Promise<void>,
  ) => {
    const browser: Browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        ...FLAGS,
        '--test-third-party-cookie-phaseout',
        // Pages answered through page.route carry no server address, so Chrome would take them
        // for public pages and refuse their navigation to the loopback LMS.
        ...(cookies === 'none' ? ['--disable-features=LocalNetworkAccessChecks'] : []),
      ],
    });
    try {
      const page = await browser.newPage();
      if (cookies === 'none') {
        // The tool is reached from here, without the browser's cookies and without keeping
        // any it sets: no cookie ever goes back to the tool.
        await page.route(`${toolUrl}/**`, async (route) => {
          const request = route.request();
          const headers = { ...request.headers() };
          delete headers.cookie;
          const response = await fetch(request.url(), {
            method: request.method(),
            headers,
            body: request.postDataBuffer() ?? undefined,
            redirect: 'manual',
          });
          const answered = Object.fromEntries(response.headers);
          delete answered['set-cookie'];
          await route.fulfill({
            status: response.status,
            headers: answered,
            body: Buffer.from(await response.arrayBuffer()),
          });
        });
      }
      await run(page);
    } finally {
      await browser.close();
    }
  };

  const landedFrame = async (page: Page, prefix: string): Promise<Frame> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const frame = page.frames().find((candidate) => candidate.url().startsWith(prefix));
      if (frame) {
        return frame;
      }
      if (Date.now() > deadline) {
        const seen = page.frames().map((candidate) => candidate.url());
        const text = await page
          .frame({ name: 'tool' })
          ?.textContent('body')
          .catch(() => null);
        throw new Error(
          `no frame at ${prefix}; frames: ${seen.join(', ')}; tool says: ${text ?? ''}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const plan = (storageTarget?: string) =>
    lms.prepareLaunch({
      user: { sub: `browser-${Math.random().toString(36).slice(2)}`, name: 'Yu-na Choi' },
      roles: [LTI_ROLE.learner],
      context: { id: 'course-iframe', title: 'Reading 3' },
      resourceLink: { id: 'link-1' },
      ...(storageTarget ? { storageTarget } : {}),
    });

  const exchangeCodeOf = async (frame: Frame) => {
    const code = new URL(frame.url()).searchParams.get('code') ?? '';
    const exchanged = await requestJson<{ access_token: string; lti_launch: { role: string } }>(
      `${t.baseUrl}/api/v1/auth/oauth/exchange`,
      { method: 'POST', json: { code } },
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.lti_launch.role).toBe('student');
  };

  it('should finish a launch in the iframe through its partitioned state cookie', async () => {
    await withBrowser('partitioned', async (page) => {
      const launch = plan();
      await page.goto(lms.coursePageUrl(launch));
      await exchangeCodeOf(await landedFrame(page, `${frontendUrl}/lti/launch?code=`));
      const messages = await page.evaluate(
        () => (globalThis as unknown as { ltiMessages: unknown[] }).ltiMessages,
      );
      expect(messages).toEqual([]);
    });
  });

  it('should finish a launch with no cookie at all, through platform storage', async () => {
    await withBrowser('none', async (page) => {
      const launch = plan('_parent');
      await page.goto(lms.coursePageUrl(launch));
      await exchangeCodeOf(await landedFrame(page, `${frontendUrl}/lti/launch?code=`));
      const messages = await page.evaluate(
        () =>
          (
            globalThis as unknown as {
              ltiMessages: Array<{ origin: string; data: { subject: string } }>;
            }
          ).ltiMessages,
      );
      expect(messages.map((message) => message.data.subject)).toEqual([
        'lti.put_data',
        'lti.get_data',
      ]);
      expect(messages.every((message) => message.origin === toolUrl)).toBe(true);
    });
  });

  it('should offer a new window when no cookie comes back and the LMS has no platform storage', async () => {
    await withBrowser('none', async (page) => {
      await page.goto(lms.coursePageUrl(plan()));
      const deadline = Date.now() + 15_000;
      let text = '';
      while (Date.now() < deadline && !text.includes('LTI_STATE_OTHER_BROWSER')) {
        text =
          (await page
            .frame({ name: 'tool' })
            ?.textContent('body')
            .catch(() => '')) ?? '';
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(text).toContain('LTI_STATE_OTHER_BROWSER');
      const link = await page.frame({ name: 'tool' })!.getAttribute('a[target="_blank"]', 'href');
      expect(link).toContain(`${toolUrl}/lti/login?`);
      // A top-level window has first-party cookies: the launch finishes there.
      await page.unrouteAll();
      await page.goto(link!);
      await page.waitForURL((url) => url.toString().startsWith(`${frontendUrl}/lti/launch?code=`), {
        timeout: 15_000,
      });
    });
  });
});
