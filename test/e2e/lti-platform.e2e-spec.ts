import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { freePort } from '../support/free-port.js';
import {
  authorize,
  decodeJwt,
  driveLaunch,
  LTI_CLAIM,
  LTI_ROLE,
  LtiPlatform,
  newBrowser,
  postLaunch,
  startLogin,
} from '../support/lti-platform.js';

/**
 * The LTI platform counterpart checked against a tool written here in a few lines (node:http +
 * jose), so it is known to work before our own tool exists.
 */
class FakeTool {
  private server?: http.Server;
  private readonly pending = new Map<string, string>();
  readonly url: string;

  constructor(
    private readonly port: number,
    private readonly platform: () => LtiPlatform,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: String(error) }));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? '/', this.url);
    const platform = this.platform();
    if (request.method === 'GET' && url.pathname === '/lti/login') {
      const q = url.searchParams;
      if (q.get('iss') !== platform.issuer || !q.get('login_hint') || !q.get('client_id')) {
        response.writeHead(400).end('bad login');
        return;
      }
      const state = randomBytes(12).toString('hex');
      const nonce = randomBytes(12).toString('hex');
      this.pending.set(state, nonce);
      const auth = new URL(platform.authLoginUrl);
      auth.search = new URLSearchParams({
        scope: 'openid',
        response_type: 'id_token',
        response_mode: 'form_post',
        prompt: 'none',
        client_id: q.get('client_id') ?? '',
        redirect_uri: `${this.url}/lti/launch`,
        login_hint: q.get('login_hint') ?? '',
        lti_message_hint: q.get('lti_message_hint') ?? '',
        state,
        nonce,
      }).toString();
      response.writeHead(302, {
        location: auth.toString(),
        'set-cookie': `lti_state=${state}; Path=/lti; HttpOnly; SameSite=None`,
      });
      response.end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/lti/launch') {
      const chunks: Buffer[] = [];
      for await (const chunk of request) {
        chunks.push(chunk as Buffer);
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const state = form.get('state') ?? '';
      const cookieState = /lti_state=([^;]+)/.exec(request.headers.cookie ?? '')?.[1];
      const nonce = this.pending.get(state);
      if (!nonce || cookieState !== state) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'state', posted: Object.fromEntries(form) }));
        return;
      }
      this.pending.delete(state);
      const { payload, protectedHeader } = await jwtVerify(
        form.get('id_token') ?? '',
        createRemoteJWKSet(new URL(platform.jwksUrl)),
        { issuer: platform.issuer, audience: 'dreamseed-tool', algorithms: ['RS256'] },
      );
      const ok = payload.nonce === nonce;
      response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ payload, header: protectedHeader, nonce_ok: ok }));
      return;
    }
    response.writeHead(404).end();
  }
}

interface LaunchBody {
  payload: Record<string, unknown>;
  header: Record<string, unknown>;
  nonce_ok: boolean;
}

describe('LTI platform counterpart (oidc-provider) against a minimal tool', () => {
  let platform: LtiPlatform;
  let tool: FakeTool;

  beforeAll(async () => {
    const [platformPort, toolPort] = [await freePort(), await freePort()];
    tool = new FakeTool(toolPort, () => platform);
    platform = new LtiPlatform({
      port: platformPort,
      clientId: 'dreamseed-tool',
      toolUrl: tool.url,
      deploymentId: 'deployment-1',
      extraClients: [
        { clientId: 'other-tool', toolUrl: tool.url, deploymentIds: ['dep-a', 'dep-b'] },
      ],
    });
    await platform.start();
    await tool.start();
  });

  afterAll(async () => {
    await tool.stop();
    await platform.stop();
  });

  it('should launch a signed-in learner with the plan in the id_token', async () => {
    const plan = platform.prepareLaunch({
      user: {
        sub: 'moodle-user-42',
        name: 'Ji-woo Kim',
        given_name: 'Ji-woo',
        family_name: 'Kim',
        email: 'jiwoo@school.test',
      },
      roles: [LTI_ROLE.learner],
      context: { id: 'course-7', label: 'MATH5', title: 'Mathematics 5' },
      resourceLink: { id: 'link-1', title: 'Fractions' },
      custom: { unit: '3' },
    });
    const result = await driveLaunch(plan.loginUrl);

    expect(result.loginResponse.status).toBe(302);
    expect(result.loginResponse.setCookie.join()).toContain('lti_state=');
    expect(result.authRedirect.origin).toBe(platform.issuer);
    expect(result.authorizeResponse.action).toBe(`${tool.url}/lti/launch`);
    expect(result.launchResponse.status).toBe(200);
    const body = JSON.parse(result.launchResponse.body) as LaunchBody;
    expect(body.nonce_ok).toBe(true);
    expect(body.header).toMatchObject({ alg: 'RS256', kid: platform.kid });
    const claims = body.payload;
    expect(claims).toMatchObject({
      iss: platform.issuer,
      aud: 'dreamseed-tool',
      sub: 'moodle-user-42',
      nonce: result.authRedirect.searchParams.get('nonce'),
      name: 'Ji-woo Kim',
      given_name: 'Ji-woo',
      family_name: 'Kim',
      email: 'jiwoo@school.test',
      [LTI_CLAIM.messageType]: 'LtiResourceLinkRequest',
      [LTI_CLAIM.version]: '1.3.0',
      [LTI_CLAIM.deploymentId]: 'deployment-1',
      [LTI_CLAIM.targetLinkUri]: `${tool.url}/lti/launch`,
      [LTI_CLAIM.resourceLink]: { id: 'link-1', title: 'Fractions' },
      [LTI_CLAIM.roles]: [LTI_ROLE.learner],
      [LTI_CLAIM.context]: {
        id: 'course-7',
        label: 'MATH5',
        title: 'Mathematics 5',
        type: ['http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering'],
      },
      [LTI_CLAIM.launchPresentation]: { document_target: 'iframe' },
      [LTI_CLAIM.custom]: { unit: '3' },
      [LTI_CLAIM.toolPlatform]: { product_family_code: 'moodle' },
    });
    expect(claims[LTI_CLAIM.ags]).toHaveProperty('lineitems');
    expect(claims[LTI_CLAIM.nrps]).toHaveProperty('context_memberships_url');
    expect(typeof claims.iat).toBe('number');
    expect(Number(claims.exp)).toBeGreaterThan(Number(claims.iat));
  });

  it('should answer prompt=none at once: a form_post page, no interaction, no redirect', async () => {
    const plan = platform.prepareLaunch({
      user: { sub: 'teacher-1', name: 'Min-jun Lee' },
      roles: [LTI_ROLE.instructor],
      resourceLink: { id: 'link-2' },
    });
    const browser = newBrowser();
    const login = await startLogin(plan.loginUrl, browser);
    expect(login.authUrl?.searchParams.get('prompt')).toBe('none');
    const auth = await authorize(login.authUrl ?? '', browser);
    expect(auth.status).toBe(200);
    expect(auth.location).toBeUndefined();
    expect(auth.body).toContain('document.forms[0].submit()');
    expect(Object.keys(auth.fields).sort()).toEqual(['id_token', 'state']);
    expect(auth.state).toBe(login.authUrl?.searchParams.get('state'));
    const launch = await postLaunch(
      auth.action,
      { id_token: auth.idToken ?? '', state: auth.state ?? '' },
      browser,
    );
    expect(launch.status).toBe(200);
  });

  it('should leave sub out of an anonymous launch', async () => {
    const plan = platform.prepareLaunch({
      user: { anonymous: true },
      roles: [],
      resourceLink: { id: 'link-3' },
    });
    const result = await driveLaunch(plan.loginUrl);
    const { payload } = JSON.parse(result.launchResponse.body) as LaunchBody;
    expect(payload).not.toHaveProperty('sub');
    expect(payload).not.toHaveProperty('name');
    expect(payload[LTI_CLAIM.resourceLink]).toEqual({ id: 'link-3' });
  });

  it('should give two plans their own claims, even in one browser', async () => {
    const browser = newBrowser();
    const first = platform.prepareLaunch({
      user: { sub: 'student-a', name: 'A' },
      roles: [LTI_ROLE.learner],
      resourceLink: { id: 'link-a' },
    });
    const second = platform.prepareLaunch({
      user: { sub: 'teacher-b', name: 'B' },
      roles: [LTI_ROLE.instructor, LTI_ROLE.institutionInstructor],
      resourceLink: { id: 'link-b' },
      context: { id: 'course-b' },
      messageType: 'LtiDeepLinkingRequest',
      dropClaims: [LTI_CLAIM.ags],
      extraClaims: { [LTI_CLAIM.lis]: { person_sourcedid: 'sis-9' } },
    });
    const a = JSON.parse(
      (await platform.driveLaunch(first, browser)).launchResponse.body,
    ) as LaunchBody;
    const b = JSON.parse(
      (await platform.driveLaunch(second, browser)).launchResponse.body,
    ) as LaunchBody;
    expect(a.payload).toMatchObject({ sub: 'student-a', [LTI_CLAIM.roles]: [LTI_ROLE.learner] });
    expect(b.payload).toMatchObject({
      sub: 'teacher-b',
      [LTI_CLAIM.roles]: [LTI_ROLE.instructor, LTI_ROLE.institutionInstructor],
      [LTI_CLAIM.resourceLink]: { id: 'link-b' },
      [LTI_CLAIM.context]: { id: 'course-b' },
      [LTI_CLAIM.messageType]: 'LtiDeepLinkingRequest',
      [LTI_CLAIM.lis]: { person_sourcedid: 'sis-9' },
    });
    expect(b.payload).not.toHaveProperty(LTI_CLAIM.ags);
    expect(a.payload).not.toHaveProperty(LTI_CLAIM.context);
  });

  it('should launch another client and deployment registered on the same platform', async () => {
    const plan = platform.prepareLaunch({
      clientId: 'other-tool',
      deploymentId: 'dep-b',
      user: { sub: 'u-1', name: 'U' },
      roles: [LTI_ROLE.learner],
      resourceLink: { id: 'link-o' },
    });
    expect(new URL(plan.loginUrl).searchParams.get('lti_deployment_id')).toBe('dep-b');
    const browser = newBrowser();
    const login = await startLogin(plan.loginUrl, browser);
    const auth = await authorize(login.authUrl ?? '', browser);
    const { payload } = decodeJwt(auth.idToken ?? '');
    expect(payload).toMatchObject({ aud: 'other-tool', [LTI_CLAIM.deploymentId]: 'dep-b' });
    expect(platform.registration('other-tool')).toMatchObject({
      client_id: 'other-tool',
      deployment_ids: ['dep-a', 'dep-b'],
    });
  });

  it.each([
    ['a login_hint other than the plan user', { login_hint: 'someone-else' }, 'login_required'],
    ['an unknown lti_message_hint', { lti_message_hint: 'plan-unknown' }, 'invalid_request'],
    ['no lti_message_hint', { lti_message_hint: '' }, 'invalid_request'],
  ])('should post an error back for %s', async (_label, change, error) => {
    const plan = platform.prepareLaunch({
      user: { sub: 'student-c', name: 'C' },
      roles: [LTI_ROLE.learner],
      resourceLink: { id: 'link-c' },
    });
    const browser = newBrowser();
    const login = await startLogin(plan.loginUrl, browser);
    const authUrl = new URL(login.authUrl ?? '');
    for (const [name, value] of Object.entries(change)) {
      authUrl.searchParams.set(name, value);
    }
    const auth = await authorize(authUrl, browser);
    expect(auth.action).toBe(`${tool.url}/lti/launch`);
    expect(auth.fields.error).toBe(error);
    expect(auth.idToken).toBeUndefined();
  });

  it('should describe itself for POST /api/v1/lti/platforms', () => {
    expect(platform.registration()).toEqual({
      issuer: platform.issuer,
      client_id: 'dreamseed-tool',
      auth_login_url: `${platform.issuer}/auth`,
      token_url: `${platform.issuer}/token`,
      jwks_url: `${platform.issuer}/jwks`,
      display_name: 'Test Moodle',
      product: 'moodle',
      deployment_ids: ['deployment-1'],
    });
  });

  it('should serve a JWKS holding the signing key under its kid', async () => {
    const response = await fetch(platform.jwksUrl);
    const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toEqual([
      expect.objectContaining({ kid: platform.kid, kty: 'RSA', alg: 'RS256' }),
    ]);
    expect(keys[0]).not.toHaveProperty('d');
  });

  describe('signIdToken', () => {
    const jwks = () => createRemoteJWKSet(new URL(platform.jwksUrl));

    it('should sign RS256 with the platform key, verifiable with its JWKS', async () => {
      const claims = platform.validClaims({ nonce: 'n-1' });
      const token = await platform.signIdToken(claims);
      const { payload, protectedHeader } = await jwtVerify(token, jwks(), {
        issuer: platform.issuer,
        audience: 'dreamseed-tool',
      });
      expect(protectedHeader.kid).toBe(platform.kid);
      expect(payload).toMatchObject({
        nonce: 'n-1',
        [LTI_CLAIM.version]: '1.3.0',
        [LTI_CLAIM.deploymentId]: 'deployment-1',
      });
      expect(Number(payload.exp) - Number(payload.iat)).toBe(300);
    });

    it('should sign RS256 with an unknown key that the JWKS does not verify', async () => {
      const token = await platform.signIdToken(platform.validClaims({ nonce: 'n' }), {
        key: 'other',
      });
      expect(decodeJwt(token).header).toMatchObject({ alg: 'RS256', kid: platform.otherKid });
      await expect(jwtVerify(token, jwks())).rejects.toThrow();
      const spoofed = await platform.signIdToken(platform.validClaims({ nonce: 'n' }), {
        key: 'other',
        kid: platform.kid,
      });
      await expect(jwtVerify(spoofed, jwks())).rejects.toThrow(/signature/);
    });

    it('should leave kid out when asked', async () => {
      const token = await platform.signIdToken({ a: 1 }, { kid: null });
      expect(decodeJwt(token).header).toEqual({ alg: 'RS256', typ: 'JWT' });
    });

    it('should sign HS256 with the public key PEM as the HMAC secret (alg confusion)', async () => {
      const token = await platform.signIdToken(platform.validClaims({ nonce: 'n' }), {
        alg: 'HS256',
      });
      const [header = '', payload = '', signature] = token.split('.');
      expect(decodeJwt(token).header).toEqual({ alg: 'HS256', typ: 'JWT' });
      const expected = createHmac('sha256', platform.publicKeyPem)
        .update(`${header}.${payload}`)
        .digest('base64url');
      expect(signature).toBe(expected);
      await expect(jwtVerify(token, jwks())).rejects.toThrow();
    });

    it('should mint alg none with an empty signature', async () => {
      const claims = platform.validClaims({ nonce: 'n', dropClaims: [LTI_CLAIM.roles] });
      const token = await platform.signIdToken(claims, { alg: 'none', header: { typ: 'jwt' } });
      const decoded = decodeJwt(token);
      expect(token.endsWith('.')).toBe(true);
      expect(decoded.signature).toBe('');
      expect(decoded.header).toEqual({ alg: 'none', typ: 'jwt' });
      expect(decoded.payload).toEqual(claims);
      expect(decoded.payload).not.toHaveProperty(LTI_CLAIM.roles);
    });
  });

  describe('course page (Platform Storage)', () => {
    it('should frame the login URL with lti_storage_target and answer storage messages', async () => {
      const plan = platform.prepareLaunch({
        user: { sub: 'student-d', name: 'D' },
        roles: [LTI_ROLE.learner],
        resourceLink: { id: 'link-d' },
        storageTarget: '_parent',
      });
      expect(new URL(plan.loginUrl).searchParams.get('lti_storage_target')).toBe('_parent');
      const response = await fetch(platform.coursePageUrl(plan));
      const html = await response.text();
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('text/html');
      const src = /<iframe name="tool"[^>]*src="([^"]+)"/.exec(html)?.[1] ?? '';
      expect(src.replace(/&amp;/g, '&')).toBe(plan.loginUrl);
      for (const subject of [
        'lti.put_data.response',
        'lti.get_data.response',
        'lti.capabilities.response',
      ]) {
        expect(html).toContain(subject);
      }
    });

    it('should answer 404 for an unknown plan', async () => {
      const response = await fetch(`${platform.issuer}/course?plan=nope`);
      expect(response.status).toBe(404);
    });
  });
});
