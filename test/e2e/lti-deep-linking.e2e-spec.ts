import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium } from 'playwright-core';
import { bearer, createTenant, createUser, login, type Tokens } from '../factories/accounts.js';
import { registerPlatform } from '../factories/lti.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson, waitFor } from '../support/http.js';
import { DeepLinkReturnEndpoint } from '../support/lti-deep-link-return.js';
import {
  LTI_CLAIM,
  LTI_ROLE,
  LtiPlatform,
  parseFormPost,
  type LaunchResult,
} from '../support/lti-platform.js';
import { ManualClock } from '../support/manual-clock.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FRONTEND = 'http://frontend.test';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

interface DeepLinkingContext {
  accept_types: string[];
  accept_multiple: boolean;
  accept_presentation_document_targets: string[];
  accept_lineitem: boolean | null;
  auto_create: boolean | null;
  title: string | null;
  text: string | null;
  expires_at: string;
  response_url: string;
}

interface Exchanged {
  access_token: string;
  refresh_token: string;
  user: { id: string };
  lti_launch: {
    launch_id: string;
    class_id: string | null;
    message_type: string;
    role: string;
    deep_linking: DeepLinkingContext | null;
    content: {
      item_id: string;
      title: string | null;
      url: string | null;
      custom: Record<string, string>;
    } | null;
  };
}

interface ErrorBody {
  error_code: string;
  message: string;
  details: Record<string, unknown> | null;
}

describe('LTI Deep Linking 2.0 (oidc-provider playing the LMS)', () => {
  let t: TestApp;
  let moodle: LtiPlatform;
  let canvas: LtiPlatform;
  let returns: DeepLinkReturnEndpoint;
  let school: string;
  let otherSchool: string;
  let toolUrl: string;
  const clock = new ManualClock();

  beforeAll(async () => {
    const [toolPort, moodlePort, canvasPort, returnPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    toolUrl = `http://127.0.0.1:${toolPort}`;
    moodle = new LtiPlatform({
      port: moodlePort,
      clientId: 'moodle-client',
      toolUrl,
      deploymentId: 'dep-1',
    });
    canvas = new LtiPlatform({
      port: canvasPort,
      clientId: 'canvas-client',
      toolUrl,
      deploymentId: 'dep-9',
    });
    await Promise.all([moodle.start(), canvas.start()]);
    t = await startTestApp({
      port: toolPort,
      env: { PUBLIC_URL: toolUrl, FRONTEND_URL: FRONTEND },
      clock,
    });
    returns = new DeepLinkReturnEndpoint({
      port: returnPort,
      toolJwksUrl: `${toolUrl}/lti/jwks`,
      clientId: 'moodle-client',
      audience: moodle.issuer,
    });
    await returns.start();
    school = await createTenant(t);
    otherSchool = await createTenant(t);
    await registerPlatform(t, school, {
      issuer: moodle.issuer,
      clientId: 'moodle-client',
      authLoginUrl: moodle.authLoginUrl,
      jwksUrl: moodle.jwksUrl,
      deploymentIds: ['dep-1'],
    });
    await registerPlatform(t, otherSchool, {
      issuer: canvas.issuer,
      clientId: 'canvas-client',
      authLoginUrl: canvas.authLoginUrl,
      jwksUrl: canvas.jwksUrl,
      deploymentIds: ['dep-9'],
    });
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([moodle.stop(), canvas.stop(), returns.stop()]);
  });

  const math = { id: 'course-math', label: 'MATH5', title: 'Mathematics 5' };
  const teacher = { sub: 'moodle-teacher-3', name: 'Ms. Park', email: 'park@school.test' };
  const settings = (overrides: Record<string, unknown> = {}) => ({
    deep_link_return_url: returns.url,
    accept_types: ['ltiResourceLink', 'link', 'html'],
    accept_presentation_document_targets: ['iframe', 'window'],
    accept_multiple: true,
    accept_lineitem: true,
    auto_create: false,
    title: 'Add an activity',
    text: 'Choose DreamSeed content',
    data: 'csrftoken:c7fbba78-7b75-46e3-9201-11e6d5f36f53',
    ...overrides,
  });

  const codeOf = (result: LaunchResult): string => {
    expect(result.launchResponse.status).toBe(302);
    const location = new URL(result.launchResponse.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${FRONTEND}/lti/launch`);
    return location.searchParams.get('code') ?? '';
  };

  const exchange = async (result: LaunchResult): Promise<Exchanged> => {
    const response = await requestJson<Exchanged>(`${t.baseUrl}/api/v1/auth/oauth/exchange`, {
      method: 'POST',
      json: { code: codeOf(result) },
    });
    expect(response.status).toBe(200);
    return response.body;
  };

  const deepLinkingLaunch = async (
    options: {
      platform?: LtiPlatform;
      user?: { sub: string; name: string; email?: string };
      roles?: string[];
      settings?: Record<string, unknown>;
    } = {},
  ): Promise<LaunchResult> => {
    const platform = options.platform ?? moodle;
    return platform.driveLaunch(
      platform.prepareLaunch({
        user: options.user ?? teacher,
        roles: options.roles ?? [LTI_ROLE.instructor],
        context: math,
        resourceLink: { id: 'unused' },
        messageType: 'LtiDeepLinkingRequest',
        dropClaims: [LTI_CLAIM.resourceLink],
        extraClaims: { [LTI_CLAIM.deepLinkingSettings]: options.settings ?? settings() },
      }),
    );
  };

  const respond = (signedIn: { access_token: string }, launchId: string, body: unknown) =>
    fetch(`${t.baseUrl}/api/v1/lti/deep-linking/${launchId}/response`, {
      method: 'POST',
      headers: { ...bearer(signedIn.access_token), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const errorOf = async (response: Response) => (await response.json()) as ErrorBody;

  const footprint = async (launchId: string) => {
    const [row] = await query<{ responses: number; items: number }>(
      t.databaseUrl,
      `SELECT (SELECT count(*)::int FROM lti_deep_link_responses WHERE launch_id = $1) AS responses,
              (SELECT count(*)::int FROM lti_deep_linked_items WHERE launch_id = $1) AS items`,
      [launchId],
    );
    return row;
  };

  /** The page's form, posted as a browser without scripts would (its button). */
  const submitPage = async (html: string) => {
    const form = parseFormPost(html);
    expect(form).toBeDefined();
    expect(Object.keys(form!.fields)).toEqual(['JWT']);
    const before = returns.received.length;
    const posted = await fetch(form!.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form!.fields).toString(),
    });
    expect(posted.status).toBe(200);
    return returns.waitForCount(before + 1);
  };

  const chosen = [
    {
      type: 'ltiResourceLink',
      title: 'Fractions: practice set 1',
      text: 'Ten exercises',
      custom: { unit: 'fractions' },
      lineItem: { scoreMaximum: 100, label: 'Fractions', resourceId: 'fractions-1', tag: 'grade' },
      window: { targetName: 'dreamseed', width: 800, height: 600 },
    },
    { type: 'link', title: 'Reading', url: 'https://example.org/fractions.html' },
  ];

  /** A deep-linking launch answered with `chosen` (the form posted without a browser). */
  const answeredLaunch = async (): Promise<{ signedIn: Exchanged; itemId: string }> => {
    const signedIn = await exchange(await deepLinkingLaunch());
    const answer = await respond(signedIn, signedIn.lti_launch.launch_id, { items: chosen });
    expect(answer.status).toBe(200);
    const received = await submitPage(await answer.text());
    expect(received.error).toBeUndefined();
    const items = received.payload![`${DL}content_items`] as Array<{
      custom?: Record<string, string>;
    }>;
    return { signedIn, itemId: items[0]?.custom?.dreamseed_item_id ?? '' };
  };

  it('should hand a deep-linking launch its settings, and send the chosen items to the LMS signed, through a real browser', async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    }
    const signedIn = await exchange(await deepLinkingLaunch());
    const launchId = signedIn.lti_launch.launch_id;
    expect(signedIn.lti_launch).toMatchObject({
      message_type: 'LtiDeepLinkingRequest',
      role: 'teacher',
      content: null,
    });
    expect(signedIn.lti_launch.class_id).toEqual(expect.any(String));
    const context = signedIn.lti_launch.deep_linking!;
    expect(context).toEqual({
      accept_types: ['ltiResourceLink', 'link', 'html'],
      accept_multiple: true,
      accept_presentation_document_targets: ['iframe', 'window'],
      accept_lineitem: true,
      auto_create: false,
      title: 'Add an activity',
      text: 'Choose DreamSeed content',
      expires_at: expect.any(String),
      response_url: `/api/v1/lti/deep-linking/${launchId}/response`,
    });
    const expiresIn = Date.parse(context.expires_at) - clock.nowMs();
    expect(expiresIn).toBeGreaterThan(59 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(60 * 60_000);
    expect(JSON.stringify(signedIn.lti_launch)).not.toContain('csrftoken');

    const answer = await respond(signedIn, launchId, { items: chosen });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(/script-src ([^;]*)/.exec(csp)?.[1]).not.toContain('unsafe-inline');
    expect(answer.headers.get('x-frame-options')).toBeNull();
    const html = await answer.text();
    expect(html).not.toMatch(/\bon[a-z]+=/i);
    expect(parseFormPost(html)?.action).toBe(returns.url);

    // The browser opens the page as the LMS's frame would and submits it by itself.
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    try {
      const page = await browser.newPage();
      const headers = Object.fromEntries(answer.headers);
      await page.route(`${toolUrl}/deep-linking-answer`, (route) =>
        route.fulfill({ status: 200, headers, body: html }),
      );
      const before = returns.received.length;
      await page.goto(`${toolUrl}/deep-linking-answer`);
      const received = await returns.waitForCount(before + 1);
      await page.waitForSelector('#done');
      expect(received.contentType).toBe('application/x-www-form-urlencoded');
      expect(received.error).toBeUndefined();
      const payload = received.payload!;
      const jwks = await requestJson<{ keys: Array<{ kid: string }> }>(`${toolUrl}/lti/jwks`);
      expect(received.header).toMatchObject({ alg: 'RS256', kid: jwks.body.keys[0]?.kid });
      expect(payload).toMatchObject({
        iss: 'moodle-client',
        aud: moodle.issuer,
        nonce: expect.any(String),
        [`${LTI}deployment_id`]: 'dep-1',
        [`${LTI}message_type`]: 'LtiDeepLinkingResponse',
        [`${LTI}version`]: '1.3.0',
        [`${DL}data`]: 'csrftoken:c7fbba78-7b75-46e3-9201-11e6d5f36f53',
      });
      expect(Number(payload.exp) - Number(payload.iat)).toBe(300);
      expect(payload[`${DL}msg`]).toBeUndefined();
      const items = payload[`${DL}content_items`] as Array<Record<string, unknown>>;
      const itemId = (items[0]?.custom as Record<string, string>).dreamseed_item_id ?? '';
      expect(itemId).toMatch(/^[0-9a-f-]{36}$/);
      expect(items).toEqual([
        { ...chosen[0], custom: { unit: 'fractions', dreamseed_item_id: itemId } },
        chosen[1],
      ]);
      const stored = await query<Record<string, unknown>>(
        t.databaseUrl,
        `SELECT id, platform_id IS NOT NULL AS has_platform, context_id, class_id, type, title, url,
           custom, line_item, created_by, resource_link_id
         FROM lti_deep_linked_items WHERE launch_id = $1 ORDER BY type DESC`,
        [launchId],
      );
      expect(stored).toEqual([
        {
          id: itemId,
          has_platform: true,
          context_id: 'course-math',
          class_id: signedIn.lti_launch.class_id,
          type: 'ltiResourceLink',
          title: 'Fractions: practice set 1',
          url: null,
          custom: { unit: 'fractions', dreamseed_item_id: itemId },
          line_item: chosen[0].lineItem,
          created_by: signedIn.user.id,
          resource_link_id: null,
        },
        expect.objectContaining({ type: 'link', url: 'https://example.org/fractions.html' }),
      ]);
    } finally {
      await browser.close();
    }
    const audit = await waitFor(async () => {
      const rows = await query<{
        actor_id: string;
        resource_id: string;
        outcome: string;
        tenant_id: string;
      }>(
        t.databaseUrl,
        `SELECT actor_id, resource_id, outcome, tenant_id FROM audit_logs
         WHERE action = 'lti.deep_linking.response' AND resource_id = $1`,
        [launchId],
      );
      return rows[0];
    });
    expect(audit).toEqual({
      actor_id: signedIn.user.id,
      resource_id: launchId,
      outcome: 'success',
      tenant_id: school,
    });
  });

  it('should refuse a second response for the same launch, and send nothing', async () => {
    const { signedIn } = await answeredLaunch();
    const launchId = signedIn.lti_launch.launch_id;
    const before = returns.received.length;
    const again = await respond(signedIn, launchId, { items: [chosen[1]] });
    expect(again.status).toBe(409);
    expect((await errorOf(again)).error_code).toBe('LTI_DEEP_LINKING_ANSWERED');
    expect(await footprint(launchId)).toEqual({ responses: 1, items: 2 });
    expect(returns.received.length).toBe(before);
  });

  it('should let two racing responses of one launch write one answer', async () => {
    const signedIn = await exchange(await deepLinkingLaunch());
    const launchId = signedIn.lti_launch.launch_id;
    const answers = await Promise.all(
      [0, 1, 2].map(() => respond(signedIn, launchId, { items: [chosen[1]] })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
    expect(await footprint(launchId)).toEqual({ responses: 1, items: 1 });
  });

  it('should answer 404 to another teacher and an admin of the same school, as for a launch that does not exist', async () => {
    const signedIn = await exchange(await deepLinkingLaunch());
    const launchId = signedIn.lti_launch.launch_id;
    const otherTeacher = await exchange(
      await deepLinkingLaunch({ user: { sub: 'moodle-teacher-9', name: 'Mr. Kim' } }),
    );
    const admin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const localTeacher = await login(t, await createUser(t, { tenant: school, role: 'teacher' }));
    for (const caller of [otherTeacher, admin, localTeacher]) {
      const refused = await respond(caller, launchId, { items: [chosen[1]] });
      expect(refused.status).toBe(404);
      expect((await errorOf(refused)).error_code).toBe('LTI_DEEP_LINKING_LAUNCH_NOT_FOUND');
    }
    const missing = await respond(signedIn, '6a0f3b8e-2c1d-4e5f-9a7b-8c6d5e4f3a2b', {
      items: [chosen[1]],
    });
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).error_code).toBe('LTI_DEEP_LINKING_LAUNCH_NOT_FOUND');
    const unauthenticated = await fetch(
      `${t.baseUrl}/api/v1/lti/deep-linking/${launchId}/response`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [chosen[1]] }),
      },
    );
    expect(unauthenticated.status).toBe(401);
    expect(await footprint(launchId)).toEqual({ responses: 0, items: 0 });
  });

  it('should refuse an admin acting as the teacher (impersonation)', async () => {
    const signedIn = await exchange(await deepLinkingLaunch());
    const launchId = signedIn.lti_launch.launch_id;
    const admin = await login(t, await createUser(t, { tenant: school, role: 'admin' }));
    const started = await requestJson<{ access_token: string }>(
      `${t.baseUrl}/api/v1/admin/impersonate`,
      {
        method: 'POST',
        headers: bearer(admin.access_token),
        json: { user_id: signedIn.user.id, reason: 'Ticket 77: deep linking help' },
      },
    );
    expect(started.status).toBe(200);
    const refused = await respond(started.body, launchId, { items: [chosen[1]] });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).error_code).toBe('AUTH_IMPERSONATION_FORBIDDEN');
    expect(await footprint(launchId)).toEqual({ responses: 0, items: 0 });
  });

  it("should not let a student's deep-linking launch answer", async () => {
    const signedIn = await exchange(
      await deepLinkingLaunch({
        user: { sub: 'moodle-student-4', name: 'Min-jun Lee' },
        roles: [LTI_ROLE.learner],
      }),
    );
    expect(signedIn.lti_launch.role).toBe('student');
    const refused = await respond(signedIn, signedIn.lti_launch.launch_id, { items: [chosen[1]] });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).error_code).toBe('LTI_DEEP_LINKING_NOT_INSTRUCTOR');
    expect(await footprint(signedIn.lti_launch.launch_id)).toEqual({ responses: 0, items: 0 });
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string, string]>([
    [
      'a type not in accept_types',
      {},
      { items: [{ type: 'image', url: 'https://example.org/a.png' }] },
      'LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED',
      'accept_types',
    ],
    [
      'two items when accept_multiple is false',
      { accept_multiple: false },
      { items: [chosen[1], chosen[1]] },
      'LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED',
      'accept_multiple',
    ],
    [
      'a window when only iframe is accepted',
      { accept_presentation_document_targets: ['iframe'] },
      { items: [{ type: 'ltiResourceLink', window: { targetName: 'x' } }] },
      'LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED',
      'window',
    ],
    [
      'a lineItem when accept_lineitem is false',
      { accept_lineitem: false },
      { items: [{ type: 'ltiResourceLink', lineItem: { scoreMaximum: 10 } }] },
      'LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED',
      'accept_lineitem',
    ],
    [
      'a lineItem on a link',
      {},
      { items: [{ ...chosen[1], lineItem: { scoreMaximum: 10 } }] },
      'LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED',
      'ltiResourceLink',
    ],
    [
      'an ltiResourceLink launching another host',
      {},
      { items: [{ type: 'ltiResourceLink', url: 'https://evil.test/lti/launch' }] },
      'LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED',
      'this tool',
    ],
    [
      'a link without url',
      {},
      { items: [{ type: 'link', title: 'x' }] },
      'LTI_DEEP_LINKING_ITEM_NOT_ACCEPTED',
      'url',
    ],
    [
      'a lineItem with scoreMaximum 0',
      {},
      { items: [{ type: 'ltiResourceLink', lineItem: { scoreMaximum: 0 } }] },
      'COMMON_VALIDATION_FAILED',
      'items.0.lineItem.scoreMaximum',
    ],
    [
      'a lineItem without scoreMaximum',
      {},
      { items: [{ type: 'ltiResourceLink', lineItem: { label: 'x' } }] },
      'COMMON_VALIDATION_FAILED',
      'items.0.lineItem.scoreMaximum',
    ],
    [
      'an unknown type',
      {},
      { items: [{ type: 'video', url: 'https://example.org/v.mp4' }] },
      'COMMON_VALIDATION_FAILED',
      'items.0.type',
    ],
    [
      'custom values that are not strings',
      {},
      { items: [{ type: 'ltiResourceLink', custom: { unit: 5 } }] },
      'COMMON_VALIDATION_FAILED',
      'items.0.custom',
    ],
    [
      'a title of 256 characters',
      {},
      { items: [{ type: 'ltiResourceLink', title: 'x'.repeat(256) }] },
      'COMMON_VALIDATION_FAILED',
      'items.0.title',
    ],
    [
      '51 items',
      {},
      { items: Array.from({ length: 51 }, () => chosen[1]) },
      'COMMON_VALIDATION_FAILED',
      'items',
    ],
    [
      'a field the spec does not have',
      {},
      { items: [{ type: 'ltiResourceLink', script: 'alert(1)' }] },
      'COMMON_VALIDATION_FAILED',
      'items.0.script',
    ],
    ['neither items nor cancel', {}, {}, 'LTI_DEEP_LINKING_CHOICE_MISSING', ''],
    [
      'both items and cancel',
      {},
      { items: [chosen[1]], cancel: true },
      'LTI_DEEP_LINKING_CHOICE_MISSING',
      '',
    ],
    ['an empty item list', {}, { items: [] }, 'COMMON_VALIDATION_FAILED', 'items'],
  ])(
    'should refuse %s with a 400 envelope and write nothing',
    async (_case, overrides, body, code, mention) => {
      const signedIn = await exchange(await deepLinkingLaunch({ settings: settings(overrides) }));
      const launchId = signedIn.lti_launch.launch_id;
      const before = returns.received.length;
      const refused = await respond(signedIn, launchId, body);
      expect(refused.status).toBe(400);
      const error = await errorOf(refused);
      expect(error.error_code).toBe(code);
      expect(JSON.stringify(error.details ?? {})).toContain(mention);
      expect(await footprint(launchId)).toEqual({ responses: 0, items: 0 });
      expect(returns.received.length).toBe(before);
    },
  );

  it('should send an empty list with msg and errormsg when the teacher cancels', async () => {
    const signedIn = await exchange(await deepLinkingLaunch());
    const launchId = signedIn.lti_launch.launch_id;
    const answer = await respond(signedIn, launchId, {
      cancel: true,
      message: 'Nothing was added',
      error_message: 'No content suits this course',
    });
    expect(answer.status).toBe(200);
    const received = await submitPage(await answer.text());
    expect(received.error).toBeUndefined();
    expect(received.payload).toMatchObject({
      [`${DL}content_items`]: [],
      [`${DL}msg`]: 'Nothing was added',
      [`${DL}errormsg`]: 'No content suits this course',
      [`${DL}data`]: 'csrftoken:c7fbba78-7b75-46e3-9201-11e6d5f36f53',
    });
    expect(await footprint(launchId)).toEqual({ responses: 1, items: 0 });
  });

  it('should leave data out of the response when the request had none', async () => {
    const { data: _data, ...withoutData } = settings();
    const signedIn = await exchange(await deepLinkingLaunch({ settings: withoutData }));
    const answer = await respond(signedIn, signedIn.lti_launch.launch_id, { items: [chosen[1]] });
    expect(answer.status).toBe(200);
    const received = await submitPage(await answer.text());
    expect(received.error).toBeUndefined();
    expect(received.payload).not.toHaveProperty(`${DL}data`);
    expect(received.payload![`${DL}content_items`]).toEqual([chosen[1]]);
  });

  it.each([
    ['no deep_link_return_url', 'deep_link_return_url', { deep_link_return_url: undefined }],
    [
      'a deep_link_return_url that is not http(s)',
      'deep_link_return_url',
      { deep_link_return_url: 'javascript:alert(1)' },
    ],
    ['no accept_types', 'accept_types', { accept_types: undefined }],
    ['an empty accept_types', 'accept_types', { accept_types: [] }],
  ])(
    'should refuse a deep-linking launch with %s, naming the claim',
    async (_case, claim, overrides) => {
      const counts = async () => {
        const [row] = await query<{ failures: number; launches: number }>(
          t.databaseUrl,
          `SELECT (SELECT count(*)::int FROM lti_launch_failures WHERE error_code = 'LTI_CLAIM_MISSING') AS failures,
                (SELECT count(*)::int FROM lti_launches) AS launches`,
        );
        return row;
      };
      const before = await counts();
      const response = (await deepLinkingLaunch({ settings: settings(overrides) })).launchResponse;
      expect(response.status).toBe(400);
      expect(response.location).toBeUndefined();
      expect(response.headers.get('x-error-code')).toBe('LTI_CLAIM_MISSING');
      expect(response.body).toContain(`${LTI_CLAIM.deepLinkingSettings}#${claim}`);
      expect(await counts()).toEqual({ failures: before.failures + 1, launches: before.launches });
    },
  );

  it("should open an item's content at a later resource-link launch, by custom id, then by resource link id", async () => {
    const { itemId } = await answeredLaunch();
    const student = { sub: 'moodle-student-8', name: 'Ji-woo Kim' };
    const first = await exchange(
      await moodle.driveLaunch(
        moodle.prepareLaunch({
          user: student,
          roles: [LTI_ROLE.learner],
          context: math,
          resourceLink: { id: 'moodle-link-41' },
          custom: { unit: 'fractions', dreamseed_item_id: itemId },
        }),
      ),
    );
    expect(first.lti_launch.content).toEqual({
      item_id: itemId,
      title: 'Fractions: practice set 1',
      url: null,
      custom: { unit: 'fractions', dreamseed_item_id: itemId },
    });
    const [row] = await query<{ resource_link_id: string }>(
      t.databaseUrl,
      `SELECT resource_link_id FROM lti_deep_linked_items WHERE id = $1`,
      [itemId],
    );
    expect(row.resource_link_id).toBe('moodle-link-41');
    // An LMS that dropped the custom parameters: the resource link finds it.
    const dropped = await exchange(
      await moodle.driveLaunch(
        moodle.prepareLaunch({
          user: student,
          roles: [LTI_ROLE.learner],
          context: math,
          resourceLink: { id: 'moodle-link-41' },
        }),
      ),
    );
    expect(dropped.lti_launch.content?.item_id).toBe(itemId);
    const unrelated = await exchange(
      await moodle.driveLaunch(
        moodle.prepareLaunch({
          user: student,
          roles: [LTI_ROLE.learner],
          context: math,
          resourceLink: { id: 'moodle-link-99' },
        }),
      ),
    );
    expect(unrelated.lti_launch.content).toBeNull();
  });

  it("should find nothing for an item id of another school's LMS", async () => {
    const { itemId } = await answeredLaunch();
    const forged = await exchange(
      await canvas.driveLaunch(
        canvas.prepareLaunch({
          user: { sub: 'canvas-student-1', name: 'Eun-ji Choi' },
          roles: [LTI_ROLE.learner],
          context: { id: 'canvas-course', title: 'Canvas course' },
          resourceLink: { id: 'canvas-link-41' },
          custom: { dreamseed_item_id: itemId },
        }),
      ),
    );
    expect(forged.lti_launch.content).toBeNull();
    const [row] = await query<{ resource_link_id: string }>(
      t.databaseUrl,
      `SELECT resource_link_id FROM lti_deep_linked_items WHERE id = $1`,
      [itemId],
    );
    expect(row.resource_link_id).toBeNull();
  });

  it('should refuse a response more than an hour after the launch', async () => {
    const signedIn = await exchange(await deepLinkingLaunch());
    const launchId = signedIn.lti_launch.launch_id;
    clock.advance(61 * 60_000);
    try {
      // The access token lives 15 minutes: a fresh one, as the web app would get.
      const refreshed = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/refresh`, {
        method: 'POST',
        json: { refresh_token: signedIn.refresh_token },
      });
      expect(refreshed.status).toBe(200);
      const late = await respond(refreshed.body, launchId, { items: [chosen[1]] });
      expect(late.status).toBe(410);
      expect((await errorOf(late)).error_code).toBe('LTI_DEEP_LINKING_EXPIRED');
      expect(await footprint(launchId)).toEqual({ responses: 0, items: 0 });
    } finally {
      clock.advance(-61 * 60_000);
    }
  });
});
