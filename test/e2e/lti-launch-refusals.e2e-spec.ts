import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTenant } from '../factories/accounts.js';
import { launchFootprint, registerPlatform } from '../factories/lti.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import {
  LTI_CLAIM,
  LtiPlatform,
  newBrowser,
  postLaunch,
  startLogin,
  type SignOptions,
  type ValidClaimsInput,
} from '../support/lti-platform.js';
import type { RedirectBrowser } from '../support/redirect-browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FRONTEND = 'http://frontend.test';

/**
 * Every 1EdTech check, each failing alone: a launch the platform signs correctly except for the
 * one thing under test is refused with that check's code, and leaves nothing behind.
 */
describe('LTI launch refusals', () => {
  let t: TestApp;
  let lms: LtiPlatform;
  let school: string;
  let toolUrl: string;

  beforeAll(async () => {
    const [toolPort, lmsPort] = [await freePort(), await freePort()];
    toolUrl = `http://127.0.0.1:${toolPort}`;
    lms = new LtiPlatform({ port: lmsPort, clientId: 'tool', toolUrl, deploymentId: 'dep-1' });
    await lms.start();
    t = await startTestApp({
      port: toolPort,
      env: { PUBLIC_URL: toolUrl, FRONTEND_URL: FRONTEND },
    });
    school = await createTenant(t);
    await registerPlatform(t, school, {
      issuer: lms.issuer,
      clientId: 'tool',
      authLoginUrl: lms.authLoginUrl,
      jwksUrl: lms.jwksUrl,
      deploymentIds: ['dep-1', 'dep-2'],
    });
    await query(
      t.databaseUrl,
      `INSERT INTO lti_deployments (platform_id, deployment_id, status)
       SELECT id, 'dep-refused', 'refused' FROM lti_platforms WHERE issuer = $1`,
      [lms.issuer],
    );
  });

  afterAll(async () => {
    await t.close();
    await lms.stop();
  });

  /** A login at the tool, as the platform starts it: the state and nonce the tool issued. */
  const begin = async (browser: RedirectBrowser = newBrowser(), deploymentId = 'dep-1') => {
    const plan = lms.prepareLaunch({
      user: { sub: 'learner-1', name: 'Ji-woo Kim' },
      roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
      resourceLink: { id: 'link-1' },
      context: { id: 'course-1', title: 'Course 1' },
      deploymentId,
    });
    const loginStep = await startLogin(plan.loginUrl, browser);
    expect(loginStep.status).toBe(302);
    const params = loginStep.authUrl!.searchParams;
    return { browser, state: params.get('state')!, nonce: params.get('nonce')! };
  };

  const launchWith = async (
    claims: (nonce: string) => Partial<ValidClaimsInput> & {
      override?: Record<string, unknown>;
      loginDeploymentId?: string;
    },
    sign: SignOptions = {},
  ) => {
    const probe = claims('');
    // The login names the token's deployment, unless the case is about them differing.
    const login = await begin(
      newBrowser(),
      probe.loginDeploymentId ?? probe.deploymentId ?? 'dep-1',
    );
    const { override, loginDeploymentId: _login, ...input } = claims(login.nonce);
    const token = await lms.signIdToken(
      { ...lms.validClaims({ nonce: login.nonce, ...input }), ...override },
      sign,
    );
    return postLaunch(
      `${toolUrl}/lti/launch`,
      { id_token: token, state: login.state },
      login.browser,
    );
  };

  const expectRefused = async (
    response: { status: number; headers: Headers; body: string; location?: string },
    code: string,
  ) => {
    expect(response.headers.get('x-error-code')).toBe(code);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.location).toBeUndefined();
    expect(response.body).toContain(code);
    expect(response.body).not.toMatch(/node_modules|at async/);
    expect(await launchFootprint(t, school)).toEqual({
      users: 0,
      memberships: 0,
      classes: 0,
      class_members: 0,
      seats: 0,
      launches: 0,
      identities: 0,
    });
    const [failure] = await query<{ error_code: string }>(
      t.databaseUrl,
      `SELECT error_code FROM lti_launch_failures ORDER BY created_at DESC LIMIT 1`,
    );
    expect(failure.error_code).toBe(code);
  };

  const now = () => Math.floor(Date.now() / 1000);

  it('should accept the same launch when nothing is wrong (the control case)', async () => {
    const response = await launchWith(() => ({}));
    expect(response.status).toBe(302);
    expect(response.location).toContain(`${FRONTEND}/lti/launch?code=`);
    // Leave the school empty again for the refusals below.
    await query(t.databaseUrl, `DELETE FROM lti_launches`);
    await query(t.databaseUrl, `DELETE FROM lti_contexts`);
    await query(t.databaseUrl, `DELETE FROM classes WHERE tenant_id = $1`, [school]);
    await query(t.databaseUrl, `DELETE FROM users WHERE managed_by_tenant_id = $1`, [school]);
  });

  it.each<
    [
      string,
      (nonce: string) => Partial<ValidClaimsInput> & {
        override?: Record<string, unknown>;
        loginDeploymentId?: string;
      },
      SignOptions,
      string,
    ]
  >([
    ['a wrong aud', () => ({ override: { aud: 'another-tool' } }), {}, 'LTI_AUDIENCE_MISMATCH'],
    [
      'an azp naming another party',
      () => ({ override: { aud: ['tool', 'another-tool'], azp: 'another-tool' } }),
      {},
      'LTI_AZP_MISMATCH',
    ],
    [
      'a list aud without azp',
      () => ({ override: { aud: ['tool', 'another-tool'], azp: undefined } }),
      {},
      'LTI_AZP_MISMATCH',
    ],
    ['alg none', () => ({}), { alg: 'none' }, 'LTI_ALG_NOT_ALLOWED'],
    [
      'HS256 keyed with the platform public key',
      () => ({}),
      { alg: 'HS256' },
      'LTI_ALG_NOT_ALLOWED',
    ],
    ['no kid', () => ({}), { kid: null }, 'LTI_KID_MISSING'],
    ['an unknown kid (after one re-fetch)', () => ({}), { key: 'other' }, 'LTI_KEY_NOT_FOUND'],
    [
      'a known kid with another key',
      () => ({}),
      { key: 'other', kid: undefined, header: {} },
      'LTI_KEY_NOT_FOUND',
    ],
    ['an expired token', () => ({ iat: now() - 600, lifetime: 300 }), {}, 'LTI_TOKEN_EXPIRED'],
    ['an iat two minutes ahead', () => ({ iat: now() + 120 }), {}, 'LTI_TOKEN_NOT_YET_VALID'],
    [
      'an nbf two minutes ahead',
      () => ({ override: { nbf: now() + 120 } }),
      {},
      'LTI_TOKEN_NOT_YET_VALID',
    ],
    [
      'another issuer',
      () => ({ override: { iss: 'https://canvas.instructure.com' } }),
      {},
      'LTI_ISSUER_MISMATCH',
    ],
    [
      'a nonce of another login',
      () => ({ nonce: 'not-the-issued-nonce' }),
      {},
      'LTI_NONCE_MISMATCH',
    ],
    [
      'an unlisted deployment',
      () => ({ deploymentId: 'dep-unknown' }),
      {},
      'LTI_DEPLOYMENT_PENDING',
    ],
    ['a refused deployment', () => ({ deploymentId: 'dep-refused' }), {}, 'LTI_DEPLOYMENT_REFUSED'],
    [
      "a deployment other than the login's",
      () => ({ deploymentId: 'dep-2', loginDeploymentId: 'dep-1' }),
      {},
      'LTI_DEPLOYMENT_MISMATCH',
    ],
    [
      'no deployment',
      () => ({ override: { [LTI_CLAIM.deploymentId]: undefined } }),
      {},
      'LTI_DEPLOYMENT_MISSING',
    ],
    [
      'version 1.1',
      () => ({ override: { [LTI_CLAIM.version]: '1.1.0' } }),
      {},
      'LTI_VERSION_UNSUPPORTED',
    ],
    [
      'an unsupported message type',
      () => ({ messageType: 'LtiSubmissionReviewRequest' }),
      {},
      'LTI_MESSAGE_TYPE_UNSUPPORTED',
    ],
    ['no resource_link', () => ({ dropClaims: [LTI_CLAIM.resourceLink] }), {}, 'LTI_CLAIM_MISSING'],
    ['no roles', () => ({ dropClaims: [LTI_CLAIM.roles] }), {}, 'LTI_CLAIM_MISSING'],
    [
      'a target_link_uri on another host',
      () => ({ targetLinkUri: 'https://evil.test/lti/launch' }),
      {},
      'LTI_TARGET_LINK_NOT_ALLOWED',
    ],
  ])('should refuse %s', async (_case, claims, sign, code) => {
    await expectRefused(await launchWith(claims, sign), code);
  });

  it('should refuse a replayed state', async () => {
    const login = await begin();
    const token = await lms.signIdToken(lms.validClaims({ nonce: login.nonce }));
    const first = await postLaunch(
      `${toolUrl}/lti/launch`,
      { id_token: token, state: login.state },
      login.browser,
    );
    expect(first.status).toBe(302);
    const before = await launchFootprint(t, school);
    const replay = await postLaunch(
      `${toolUrl}/lti/launch`,
      { id_token: token, state: login.state },
      login.browser,
    );
    expect(replay.headers.get('x-error-code')).toBe('LTI_STATE_USED');
    expect(await launchFootprint(t, school)).toEqual(before);
  });

  it('should refuse a replayed nonce under a fresh state', async () => {
    const login = await begin();
    const token = await lms.signIdToken(lms.validClaims({ nonce: login.nonce }));
    expect(
      (
        await postLaunch(
          `${toolUrl}/lti/launch`,
          { id_token: token, state: login.state },
          login.browser,
        )
      ).status,
    ).toBe(302);
    const before = await launchFootprint(t, school);
    const second = await begin(login.browser);
    const replay = await postLaunch(
      `${toolUrl}/lti/launch`,
      { id_token: token, state: second.state },
      login.browser,
    );
    expect(replay.headers.get('x-error-code')).toBe('LTI_NONCE_REPLAYED');
    expect(await launchFootprint(t, school)).toEqual(before);
  });

  it('should refuse a state from another browser, and offer a new window', async () => {
    const before = await launchFootprint(t, school);
    const login = await begin();
    const token = await lms.signIdToken(lms.validClaims({ nonce: login.nonce }));
    const response = await postLaunch(
      `${toolUrl}/lti/launch`,
      { id_token: token, state: login.state },
      newBrowser(),
    );
    expect(response.headers.get('x-error-code')).toBe('LTI_STATE_OTHER_BROWSER');
    expect(response.body).toContain('Open DreamSeed in a new window');
    expect(response.body).toContain(`${toolUrl}/lti/login?`);
    expect(await launchFootprint(t, school)).toEqual(before);
    // The state survives: the browser that started the login may still finish it.
    expect(
      (
        await postLaunch(
          `${toolUrl}/lti/launch`,
          { id_token: token, state: login.state },
          login.browser,
        )
      ).status,
    ).toBe(302);
  });

  it.each([
    ['no state', { id_token: 'x.y.z' }, 'LTI_STATE_MISSING'],
    ['an unknown state', { id_token: 'x.y.z', state: 'never-issued' }, 'LTI_STATE_UNKNOWN'],
    ['no id_token', { state: 'never-issued' }, 'LTI_ID_TOKEN_MISSING'],
  ])('should refuse a launch with %s', async (_case, form, code) => {
    const response = await postLaunch(`${toolUrl}/lti/launch`, form, newBrowser());
    expect(response.status).toBe(400);
    expect(response.headers.get('x-error-code')).toBe(code);
  });

  it('should refuse a token that is not a JWT', async () => {
    const login = await begin();
    const response = await postLaunch(
      `${toolUrl}/lti/launch`,
      { id_token: 'not-a-jwt', state: login.state },
      login.browser,
    );
    expect(response.headers.get('x-error-code')).toBe('LTI_ID_TOKEN_MALFORMED');
  });

  it('should keep the id_token out of the audit trail and the refusal records', async () => {
    const login = await begin();
    const token = await lms.signIdToken(lms.validClaims({ nonce: login.nonce }), { key: 'other' });
    await postLaunch(
      `${toolUrl}/lti/launch`,
      { id_token: token, state: login.state },
      login.browser,
    );
    const signature = token.split('.')[2];
    const audit = await query<{ row: string }>(
      t.databaseUrl,
      `SELECT row_to_json(a)::text AS row FROM audit_logs a WHERE action = 'lti.launch'`,
    );
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.some((entry) => entry.row.includes('LTI_KEY_NOT_FOUND'))).toBe(true);
    expect(
      audit.some((entry) => entry.row.includes(signature) || entry.row.includes(login.state)),
    ).toBe(false);
  });
});
