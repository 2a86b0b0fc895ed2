import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { freePort } from '../support/free-port.js';
import { AGS_MEDIA_TYPE } from '../support/lti-ags.js';
import { NRPS_MEDIA_TYPE, type RosterMember } from '../support/lti-nrps.js';
import { LTI_CLAIM, LTI_ROLE, LtiPlatform } from '../support/lti-platform.js';
import { LTI_SCOPE, SERVICE_SCOPES } from '../support/lti-platform-services.js';

/**
 * The LTI Advantage services of the platform counterpart, driven the way a tool drives them:
 * a private_key_jwt assertion signed here with jose, verified by oidc-provider against the
 * JWKS this file serves at `${toolUrl}/lti/jwks`.
 */
class ToolKeys {
  private server?: http.Server;
  readonly url: string;
  kid = '';
  jwksFetches = 0;
  private privateKey?: CryptoKey;
  private publicJwk?: JWK;

  constructor(private readonly port: number) {
    this.url = `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    await this.rotate();
    this.server = http.createServer((request, response) => {
      if (request.url === '/lti/jwks') {
        this.jwksFetches += 1;
        response.writeHead(200, {
          'content-type': 'application/json',
          'cache-control': 'public, max-age=300',
        });
        response.end(JSON.stringify({ keys: [this.publicJwk] }));
        return;
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
  }

  /** A new signing key under a new kid; the JWKS then publishes only it. */
  async rotate(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.kid = `tool-${randomUUID()}`;
    this.privateKey = privateKey;
    this.publicJwk = { ...(await exportJWK(publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
    if (!this.privateKey) {
      throw new Error('not started');
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT', ...header })
      .sign(this.privateKey);
  }
}

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

const USER_AGENT = 'DreamSeed-LTI/1.0 (test)';

describe('LTI platform counterpart: LTI Advantage services', () => {
  let platform: LtiPlatform;
  let keys: ToolKeys;

  beforeAll(async () => {
    const [platformPort, toolPort] = [await freePort(), await freePort()];
    keys = new ToolKeys(toolPort);
    await keys.start();
    platform = new LtiPlatform({
      port: platformPort,
      clientId: 'dreamseed-tool',
      toolUrl: keys.url,
      deploymentId: 'deployment-1',
      extraClients: [
        {
          clientId: 'roster-only-tool',
          toolUrl: keys.url,
          deploymentIds: ['dep-r'],
          scopes: [LTI_SCOPE.contextMembershipReadonly],
        },
      ],
    });
    await platform.start();
  });

  afterAll(async () => {
    await platform.stop();
    await keys.stop();
  });

  function assertionClaims(
    overrides: Record<string, unknown> = {},
    clientId = 'dreamseed-tool',
  ): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: clientId,
      sub: clientId,
      aud: platform.tokenUrl,
      iat: now,
      exp: now + 60,
      jti: randomUUID(),
      ...overrides,
    };
  }

  async function postToken(
    assertion: string,
    scopes: string[] | string,
    extra: Record<string, string> = {},
  ): Promise<TokenAnswer> {
    const response = await fetch(platform.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
        scope: Array.isArray(scopes) ? scopes.join(' ') : scopes,
        ...extra,
      }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function accessToken(scopes: string[] = SERVICE_SCOPES): Promise<string> {
    const answer = await postToken(await keys.sign(assertionClaims()), scopes);
    expect(answer.status).toBe(200);
    return String(answer.body.access_token);
  }

  async function call(
    url: string,
    {
      token,
      method = 'GET',
      accept,
      contentType,
      body,
      authorization,
      userAgent = USER_AGENT,
    }: {
      token?: string;
      method?: string;
      accept?: string;
      contentType?: string;
      body?: unknown;
      authorization?: string;
      userAgent?: string;
    },
  ): Promise<{ status: number; headers: Headers; body: unknown }> {
    const headers: Record<string, string> = { 'user-agent': userAgent };
    if (authorization ?? token) {
      headers.authorization = authorization ?? `Bearer ${token}`;
    }
    if (accept) {
      headers.accept = accept;
    }
    if (contentType) {
      headers['content-type'] = contentType;
    }
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** A raw request, so no User-Agent is added (fetch always adds one). */
  function callWithoutUserAgent(url: string, token: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        url,
        {
          headers: { authorization: `Bearer ${token}`, accept: NRPS_MEDIA_TYPE },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
  }

  function member(index: number, overrides: Partial<RosterMember> = {}): RosterMember {
    return {
      user_id: `u-${String(index).padStart(4, '0')}`,
      roles: [LTI_ROLE.learner],
      name: `Student ${index}`,
      given_name: 'Student',
      family_name: String(index),
      email: `s${index}@school.test`,
      ...overrides,
    };
  }

  function nextLink(headers: Headers, rel: string): string | undefined {
    const link = headers.get('link') ?? '';
    for (const part of link.split(/,\s*(?=<)/)) {
      const match = /^<([^>]+)>;\s*rel="([^"]+)"$/.exec(part.trim());
      if (match?.[2] === rel) {
        return match[1];
      }
    }
    return undefined;
  }

  async function readRoster(
    url: string,
    token: string,
  ): Promise<{ members: RosterMember[]; pages: number; differences?: string }> {
    const members: RosterMember[] = [];
    let pages = 0;
    let next: string | undefined = url;
    let differences: string | undefined;
    while (next) {
      const page = await call(next, { token, accept: NRPS_MEDIA_TYPE });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe(NRPS_MEDIA_TYPE);
      members.push(...(page.body as { members: RosterMember[] }).members);
      pages += 1;
      next = nextLink(page.headers, 'next');
      differences = nextLink(page.headers, 'differences');
    }
    return { members, pages, differences };
  }

  describe('service tokens (client_credentials, private_key_jwt)', () => {
    it('should issue an opaque Bearer token for a valid assertion and record the request', async () => {
      const claims = assertionClaims();
      const answer = await postToken(await keys.sign(claims), [
        LTI_SCOPE.score,
        LTI_SCOPE.contextMembershipReadonly,
      ]);

      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 3600,
        scope: `${LTI_SCOPE.score} ${LTI_SCOPE.contextMembershipReadonly}`,
      });
      expect(String(answer.body.access_token).split('.')).toHaveLength(1);
      expect(platform.tokenRequests.at(-1)).toMatchObject({
        status: 200,
        clientId: 'dreamseed-tool',
        grantType: 'client_credentials',
        jti: claims.jti,
        scopes: [LTI_SCOPE.score, LTI_SCOPE.contextMembershipReadonly],
        grantedScopes: [LTI_SCOPE.score, LTI_SCOPE.contextMembershipReadonly],
        accessToken: answer.body.access_token,
        assertion: { header: { alg: 'RS256', kid: keys.kid }, payload: { aud: platform.tokenUrl } },
      });
    });

    it('should refuse a replayed jti, even in a new assertion', async () => {
      const claims = assertionClaims();
      const first = await postToken(await keys.sign(claims), [LTI_SCOPE.score]);
      const replay = await postToken(await keys.sign(claims), [LTI_SCOPE.score]);
      const sameToken = await postToken(
        await keys.sign({ ...claims, iat: Number(claims.iat) + 1 }),
        [LTI_SCOPE.score],
      );

      expect(first.status).toBe(200);
      expect(replay).toEqual({
        status: 401,
        body: { error: 'invalid_client', error_description: 'client authentication failed' },
      });
      expect(sameToken.status).toBe(401);
      expect(platform.tokenRequests.slice(-2)).toEqual([
        expect.objectContaining({
          status: 401,
          jti: claims.jti,
          errorDetail: 'client assertion tokens must only be used once',
        }),
        expect.objectContaining({ status: 401, jti: claims.jti }),
      ]);
    });

    it('should accept the issuer as the audience too', async () => {
      const answer = await postToken(await keys.sign(assertionClaims({ aud: platform.issuer })), [
        LTI_SCOPE.score,
      ]);
      expect(answer.status).toBe(200);
    });

    it('should accept an audience array holding the token URL', async () => {
      const aud = ['https://elsewhere.test', platform.tokenUrl];
      const answer = await postToken(await keys.sign(assertionClaims({ aud })), [LTI_SCOPE.score]);
      expect(answer.status).toBe(200);
    });

    it("should accept an assertion expired less than oidc-provider's 15 s clockTolerance ago", async () => {
      const exp = Math.floor(Date.now() / 1000) - 5;
      const answer = await postToken(await keys.sign(assertionClaims({ exp })), [LTI_SCOPE.score]);
      expect(answer.status).toBe(200);
    });

    it.each([
      ['an audience other than the token URL or issuer', { aud: 'https://elsewhere.test/token' }],
      ['a sub other than the client_id', { sub: 'someone-else' }],
      ['an iss other than the client_id', { iss: 'roster-only-tool' }],
      ['no exp', { exp: undefined }],
      ['an expired assertion', { exp: Math.floor(Date.now() / 1000) - 60 }],
      ['no jti', { jti: undefined }],
      ['no iat', { iat: undefined }],
    ])('should refuse %s', async (_label, overrides) => {
      const claims = assertionClaims(overrides);
      const answer = await postToken(await keys.sign(claims), [LTI_SCOPE.score]);
      expect(answer.status).toBe(401);
      expect(answer.body.error).toBe('invalid_client');
      expect(platform.tokenRequests.at(-1)).toMatchObject({ status: 401, error: 'invalid_client' });
    });

    it('should refuse an assertion without kid, or signed with a key not in the JWKS', async () => {
      const noKid = await postToken(await keys.sign(assertionClaims(), { kid: undefined }), [
        LTI_SCOPE.score,
      ]);
      const { privateKey } = await generateKeyPair('RS256');
      const foreign = await new SignJWT(assertionClaims())
        .setProtectedHeader({ alg: 'RS256', kid: keys.kid })
        .sign(privateKey);
      const wrongKey = await postToken(foreign, [LTI_SCOPE.score]);

      expect(noKid.status).toBe(401);
      expect(platform.tokenRequests.at(-2)?.errorDetail).toMatch(/kid/);
      expect(wrongKey.status).toBe(401);
    });

    it('should keep the tool JWKS cached after a key rotation until forgetToolKeys', async () => {
      await accessToken([LTI_SCOPE.score]);
      const fetches = keys.jwksFetches;
      await keys.rotate();
      const cached = await postToken(await keys.sign(assertionClaims()), [LTI_SCOPE.score]);
      expect(cached.status).toBe(401);
      expect(keys.jwksFetches).toBe(fetches);
      await platform.forgetToolKeys();
      const fresh = await postToken(await keys.sign(assertionClaims()), [LTI_SCOPE.score]);
      expect(fresh.status).toBe(200);
      expect(keys.jwksFetches).toBe(fetches + 1);
      // The other client shares the JWKS URL but has its own cache.
      await platform.forgetToolKeys('roster-only-tool');
    });

    it.each([
      ['no scope', ''],
      ['a scope that is not an LTI service scope', `${LTI_SCOPE.score} https://example.test/admin`],
    ])('should refuse %s with invalid_scope', async (_label, scope) => {
      const answer = await postToken(await keys.sign(assertionClaims()), scope);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toBe('invalid_scope');
      expect(platform.tokenRequests.at(-1)).toMatchObject({ status: 400, error: 'invalid_scope' });
    });

    it('should refuse a scope the client is not allowed, and grant the ones it is', async () => {
      const refused = await postToken(await keys.sign(assertionClaims({}, 'roster-only-tool')), [
        LTI_SCOPE.score,
      ]);
      const granted = await postToken(await keys.sign(assertionClaims({}, 'roster-only-tool')), [
        LTI_SCOPE.contextMembershipReadonly,
      ]);
      expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
      expect(granted).toMatchObject({
        status: 200,
        body: { scope: LTI_SCOPE.contextMembershipReadonly },
      });
    });
  });

  describe('headers and tokens on service calls', () => {
    const context = 'course-headers';
    let url: string;

    beforeAll(() => {
      platform.setRoster(context, [member(1), member(2)]);
      url = platform.nrpsClaim(context).context_memberships_url;
    });

    it('should answer a call with a capital-B Bearer token and a User-Agent', async () => {
      const token = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      const answer = await call(url, { token, accept: NRPS_MEDIA_TYPE });
      expect(answer.status).toBe(200);
      expect(platform.serviceRequests.at(-1)).toMatchObject({
        method: 'GET',
        url: new URL(url).pathname,
        status: 200,
        authorization: `Bearer ${token}`,
        userAgent: USER_AGENT,
        accept: NRPS_MEDIA_TYPE,
        clientId: 'dreamseed-tool',
      });
    });

    it('should refuse a lower-case bearer with 401', async () => {
      const token = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      const answer = await call(url, { authorization: `bearer ${token}`, accept: NRPS_MEDIA_TYPE });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toContain('Bearer');
      expect(platform.serviceRequests.at(-1)).toMatchObject({ status: 401 });
    });

    it('should refuse a call without User-Agent with 403', async () => {
      const token = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      expect(await callWithoutUserAgent(url, token)).toBe(403);
      expect(platform.serviceRequests.at(-1)).toMatchObject({ status: 403, userAgent: undefined });
    });

    it('should refuse no token or an unknown one with 401, a token without the scope with 403', async () => {
      const scoreOnly = await accessToken([LTI_SCOPE.score]);
      expect((await call(url, { accept: NRPS_MEDIA_TYPE })).status).toBe(401);
      expect((await call(url, { token: 'made-up', accept: NRPS_MEDIA_TYPE })).status).toBe(401);
      const wrongScope = await call(url, { token: scoreOnly, accept: NRPS_MEDIA_TYPE });
      expect(wrongScope.status).toBe(403);
      expect(wrongScope.body).toMatchObject({ error: 'insufficient_scope' });
    });

    it('should refuse a token of another tool on this tool URL with 403', async () => {
      const answer = await postToken(await keys.sign(assertionClaims({}, 'roster-only-tool')), [
        LTI_SCOPE.contextMembershipReadonly,
      ]);
      const other = await call(url, {
        token: String(answer.body.access_token),
        accept: NRPS_MEDIA_TYPE,
      });
      const own = await call(
        platform.nrpsClaim(context, { clientId: 'roster-only-tool' }).context_memberships_url,
        { token: String(answer.body.access_token), accept: NRPS_MEDIA_TYPE },
      );
      expect(other.status).toBe(403);
      expect(own.status).toBe(200);
    });

    it('should answer 401 for every token once revoked, and for new ones again 200', async () => {
      const first = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      const second = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      expect(await platform.revokeServiceTokens()).toBeGreaterThanOrEqual(2);
      expect((await call(url, { token: first, accept: NRPS_MEDIA_TYPE })).status).toBe(401);
      expect((await call(url, { token: second, accept: NRPS_MEDIA_TYPE })).status).toBe(401);
      const fresh = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      expect((await call(url, { token: fresh, accept: NRPS_MEDIA_TYPE })).status).toBe(200);
    });

    it('should expire tokens after serviceTokenTtlSeconds', async () => {
      platform.serviceTokenTtlSeconds = 1;
      try {
        const answer = await postToken(await keys.sign(assertionClaims()), [
          LTI_SCOPE.contextMembershipReadonly,
        ]);
        expect(answer.body.expires_in).toBe(1);
        const token = String(answer.body.access_token);
        expect((await call(url, { token, accept: NRPS_MEDIA_TYPE })).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 2100));
        expect((await call(url, { token, accept: NRPS_MEDIA_TYPE })).status).toBe(401);
      } finally {
        platform.serviceTokenTtlSeconds = 3600;
      }
    });
  });

  describe('NRPS', () => {
    it('should put its own service URLs in a launch plan by default', () => {
      const plan = platform.prepareLaunch({
        user: { sub: 't-1', name: 'T' },
        roles: [LTI_ROLE.instructor],
        resourceLink: { id: 'link-1' },
        context: { id: 'course-claims' },
      });
      expect(plan.claims[LTI_CLAIM.nrps]).toEqual({
        context_memberships_url: `${platform.issuer}/mod/lti/services.php/CourseSection/course-claims/bindings/1/memberships`,
        service_versions: ['2.0'],
      });
      expect(plan.claims[LTI_CLAIM.ags]).toEqual({
        scope: [
          LTI_SCOPE.lineItem,
          LTI_SCOPE.lineItemReadonly,
          LTI_SCOPE.resultReadonly,
          LTI_SCOPE.score,
        ],
        lineitems: `${platform.issuer}/mod/lti/services.php/course-claims/lineitems?type_id=1`,
      });
    });

    it('should page a roster with Link rel="next", then offer rel="differences" on the last page', async () => {
      const context = 'course-paged';
      const members = [
        member(0, { roles: [LTI_ROLE.instructor] }),
        ...Array.from({ length: 249 }, (_, index) => member(index + 1)),
      ];
      platform.setRoster(context, members, {
        pageSize: 100,
        differences: true,
        context: { label: 'MATH5', title: 'Mathematics 5' },
      });
      const token = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      const url = platform.nrpsClaim(context).context_memberships_url;

      const first = await call(url, { token, accept: NRPS_MEDIA_TYPE });
      expect(first.body).toMatchObject({
        id: url,
        context: { id: context, label: 'MATH5', title: 'Mathematics 5' },
      });
      expect((first.body as { members: RosterMember[] }).members[0]).toEqual({
        ...members[0],
        status: 'Active',
      });
      const next = nextLink(first.headers, 'next') ?? '';
      expect(new URL(next).searchParams.get('limit')).toBe('100');
      expect(nextLink(first.headers, 'differences')).toBeUndefined();

      const all = await readRoster(url, token);
      expect(all.pages).toBe(3);
      expect(all.members.map((entry) => entry.user_id)).toEqual(
        members.map((entry) => entry.user_id),
      );
      expect(new URL(all.differences ?? '').searchParams.has('since')).toBe(true);

      const small = await readRoster(`${url}?limit=50`, token);
      expect(small.pages).toBe(5);
      expect(small.members).toHaveLength(250);
    });

    it('should answer only the changes on the differences URL after setRoster', async () => {
      const context = 'course-changes';
      const members = [member(1), member(2), member(3), member(4)];
      platform.setRoster(context, members, { pageSize: 2, differences: true });
      const token = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      const url = platform.nrpsClaim(context).context_memberships_url;
      const before = await readRoster(url, token);

      platform.setRoster(context, [
        member(1),
        member(2, { status: 'Inactive' }),
        member(4, { roles: [LTI_ROLE.teachingAssistant] }),
        member(5),
      ]);
      const changes = await readRoster(before.differences ?? '', token);

      expect(changes.pages).toBe(2);
      expect(
        changes.members
          .map((entry) => [entry.user_id, entry.status, entry.roles])
          .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      ).toEqual([
        ['u-0002', 'Inactive', [LTI_ROLE.learner]],
        ['u-0003', 'Deleted', [LTI_ROLE.learner]],
        ['u-0004', 'Active', [LTI_ROLE.teachingAssistant]],
        ['u-0005', 'Active', [LTI_ROLE.learner]],
      ]);
      const again = await readRoster(changes.differences ?? '', token);
      expect(again.members).toEqual([]);
      const full = await readRoster(url, token);
      expect(full.members.map((entry) => entry.user_id)).toEqual([
        'u-0001',
        'u-0002',
        'u-0004',
        'u-0005',
      ]);
    });

    it('should refuse a wrong Accept with 406, an unknown course with 404, a forged marker with 400', async () => {
      platform.setRoster('course-strict', [member(1)]);
      const token = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      const url = platform.nrpsClaim('course-strict').context_memberships_url;
      expect((await call(url, { token, accept: 'application/json' })).status).toBe(406);
      expect(
        (
          await call(platform.nrpsClaim('nope').context_memberships_url, {
            token,
            accept: NRPS_MEDIA_TYPE,
          })
        ).status,
      ).toBe(404);
      expect((await call(`${url}?from=42`, { token, accept: NRPS_MEDIA_TYPE })).status).toBe(400);
    });

    it('should serve 5,000 members in 50 pages quickly', async () => {
      const context = 'course-large';
      platform.setRoster(
        context,
        Array.from({ length: 5000 }, (_, index) => member(index)),
        { pageSize: 100 },
      );
      const token = await accessToken([LTI_SCOPE.contextMembershipReadonly]);
      const started = Date.now();
      const all = await readRoster(platform.nrpsClaim(context).context_memberships_url, token);
      expect(all.pages).toBe(50);
      expect(new Set(all.members.map((entry) => entry.user_id)).size).toBe(5000);
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });

  describe('AGS', () => {
    const context = 'course-grades';
    let token: string;
    let lineItems: string;

    beforeAll(async () => {
      platform.setRoster(context, [member(1), member(2), member(3, { status: 'Inactive' })]);
      token = await accessToken();
      lineItems = platform.agsClaim(context).lineitems;
    });

    async function createLineItem(body: Record<string, unknown>) {
      return call(lineItems, {
        token,
        method: 'POST',
        contentType: AGS_MEDIA_TYPE.lineItem,
        accept: AGS_MEDIA_TYPE.lineItem,
        body,
      });
    }

    function scoresUrl(lineItemId: string): string {
      const [path, query] = lineItemId.split('?');
      return `${path}/scores?${query}`;
    }

    function score(overrides: Record<string, unknown> = {}): Record<string, unknown> {
      return {
        userId: 'u-0001',
        scoreGiven: 7,
        scoreMaximum: 10,
        activityProgress: 'Completed',
        gradingProgress: 'FullyGraded',
        timestamp: new Date().toISOString(),
        ...overrides,
      };
    }

    function postScore(lineItemId: string, body: unknown, url = scoresUrl(lineItemId)) {
      return call(url, { token, method: 'POST', contentType: AGS_MEDIA_TYPE.score, body });
    }

    async function newLineItem(overrides: Record<string, unknown> = {}): Promise<string> {
      const created = await createLineItem({ label: 'Quiz', scoreMaximum: 10, ...overrides });
      expect(created.status).toBe(201);
      return (created.body as { id: string }).id;
    }

    it('should create a line item with a Moodle URL carrying ?type_id=1, and read it back', async () => {
      const created = await createLineItem({
        label: 'Fractions quiz',
        scoreMaximum: 10,
        resourceId: 'quiz-1',
        tag: 'grade',
        resourceLinkId: 'link-1',
      });

      expect(created.status).toBe(201);
      expect(created.headers.get('content-type')).toBe(AGS_MEDIA_TYPE.lineItem);
      const item = created.body as { id: string };
      expect(item).toEqual({
        id: expect.stringMatching(
          new RegExp(
            `^${platform.issuer}/mod/lti/services\\.php/course-grades/lineitems/\\d+/lineitem\\?type_id=1$`,
          ),
        ),
        label: 'Fractions quiz',
        scoreMaximum: 10,
        resourceId: 'quiz-1',
        tag: 'grade',
        resourceLinkId: 'link-1',
      });
      expect(created.headers.get('location')).toBe(item.id);
      const read = await call(item.id, { token, accept: AGS_MEDIA_TYPE.lineItem });
      expect(read).toMatchObject({ status: 200, body: item });
      expect(platform.lineItems(context)).toContainEqual(item);

      const found = await call(`${lineItems}&resource_id=quiz-1&tag=grade`, {
        token,
        accept: AGS_MEDIA_TYPE.lineItemContainer,
      });
      expect(found.status).toBe(200);
      expect(found.headers.get('content-type')).toBe(AGS_MEDIA_TYPE.lineItemContainer);
      expect(found.body).toEqual([item]);
      const none = await call(`${lineItems}&resource_id=quiz-1&tag=other`, {
        token,
        accept: AGS_MEDIA_TYPE.lineItemContainer,
      });
      expect(none.body).toEqual([]);
      const byLink = await call(`${lineItems}&resource_link_id=link-1`, {
        token,
        accept: AGS_MEDIA_TYPE.lineItemContainer,
      });
      expect(byLink.body).toEqual([item]);
    });

    it.each([
      ['no label', { scoreMaximum: 10 }],
      ['scoreMaximum 0', { label: 'Q', scoreMaximum: 0 }],
      ['scoreMaximum as a string', { label: 'Q', scoreMaximum: '10' }],
      ['no scoreMaximum', { label: 'Q' }],
    ])('should refuse a line item with %s (400)', async (_label, body) => {
      const before = platform.lineItems().length;
      const answer = await createLineItem(body);
      expect(answer.status).toBe(400);
      expect((answer.body as { message: string }).message).toMatch(/label|scoreMaximum/);
      expect(platform.lineItems()).toHaveLength(before);
    });

    it('should refuse a line item posted as application/json (415), or with a read-only token (403)', async () => {
      const json = await call(lineItems, {
        token,
        method: 'POST',
        contentType: 'application/json',
        body: { label: 'Q', scoreMaximum: 1 },
      });
      expect(json.status).toBe(415);
      const readonly = await accessToken([LTI_SCOPE.lineItemReadonly]);
      const post = await call(lineItems, {
        token: readonly,
        method: 'POST',
        contentType: AGS_MEDIA_TYPE.lineItem,
        body: { label: 'Q', scoreMaximum: 1 },
      });
      expect(post.status).toBe(403);
      const list = await call(lineItems, {
        token: readonly,
        accept: AGS_MEDIA_TYPE.lineItemContainer,
      });
      expect(list.status).toBe(200);
    });

    it('should store a score posted to {lineitem path}/scores?type_id=1 and record it', async () => {
      const lineItemId = await newLineItem();
      const body = score({ comment: 'Well done' });
      const answer = await postScore(lineItemId, body);

      expect(answer.status).toBe(200);
      expect(platform.receivedScores(lineItemId)).toEqual([
        expect.objectContaining({
          lineItemId,
          contextId: context,
          body,
          contentType: AGS_MEDIA_TYPE.score,
          authorization: `Bearer ${token}`,
          userAgent: USER_AGENT,
          clientId: 'dreamseed-tool',
          status: 200,
          outcome: 'stored',
        }),
      ]);
      expect(platform.results(lineItemId)).toEqual([
        {
          id: `${lineItemId.split('?')[0]}/results?type_id=1&user_id=u-0001`,
          scoreOf: lineItemId,
          userId: 'u-0001',
          resultScore: 7,
          resultMaximum: 10,
          comment: 'Well done',
        },
      ]);
    });

    it('should answer 404 to scores URLs built by appending to the Moodle URL, and store nothing', async () => {
      const lineItemId = await newLineItem();
      const [path] = lineItemId.split('?');
      for (const url of [`${lineItemId}/scores`, `${path}/scores`, lineItemId]) {
        expect((await postScore(lineItemId, score(), url)).status).toBe(404);
      }
      expect(platform.receivedScores(lineItemId)).toEqual([]);
      expect(platform.results(lineItemId)).toEqual([]);
    });

    it('should refuse a score posted as application/json with 415 and record it as refused', async () => {
      const lineItemId = await newLineItem();
      const answer = await call(scoresUrl(lineItemId), {
        token,
        method: 'POST',
        contentType: 'application/json',
        body: score(),
      });
      expect(answer.status).toBe(415);
      expect(platform.receivedScores(lineItemId)).toEqual([
        expect.objectContaining({
          status: 415,
          outcome: 'refused',
          contentType: 'application/json',
        }),
      ]);
      expect(platform.results(lineItemId)).toEqual([]);
    });

    it.each([
      ['a timestamp without milliseconds', { timestamp: '2026-12-02T10:00:00Z' }, /timestamp/],
      ['a timestamp without zone', { timestamp: '2026-12-02T10:00:00.000' }, /timestamp/],
      ['an unknown activityProgress', { activityProgress: 'Done' }, /activityProgress/],
      ['an unknown gradingProgress', { gradingProgress: 'Graded' }, /gradingProgress/],
      ['scoreGiven without scoreMaximum', { scoreMaximum: undefined }, /scoreMaximum/],
      ['scoreGiven as a string', { scoreGiven: '7' }, /scoreGiven/],
      ['no userId', { userId: undefined }, /userId/],
    ])('should refuse a score with %s (400)', async (_label, overrides, message) => {
      const lineItemId = await newLineItem();
      const answer = await postScore(lineItemId, score(overrides));
      expect(answer.status).toBe(400);
      expect((answer.body as { message: string }).message).toMatch(message);
      expect(platform.results(lineItemId)).toEqual([]);
    });

    it('should refuse a score for a user not on the roster with 422 and a message', async () => {
      const lineItemId = await newLineItem();
      const answer = await postScore(lineItemId, score({ userId: 'stranger' }));
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({
        message: 'user stranger is not a member of this course',
      });
      expect(platform.results(lineItemId)).toEqual([]);
    });

    it('should ignore a score whose timestamp is not newer than the stored one', async () => {
      const lineItemId = await newLineItem();
      const newer = score({ scoreGiven: 9, timestamp: '2026-12-02T10:00:00.500Z' });
      const older = score({ scoreGiven: 3, timestamp: '2026-12-02T10:00:00.499Z' });
      const same = score({ scoreGiven: 4, timestamp: '2026-12-02T10:00:00.500Z' });
      expect((await postScore(lineItemId, newer)).status).toBe(200);
      expect((await postScore(lineItemId, older)).status).toBe(200);
      expect((await postScore(lineItemId, same)).status).toBe(200);

      expect(platform.receivedScores(lineItemId).map((entry) => entry.outcome)).toEqual([
        'stored',
        'ignored',
        'ignored',
      ]);
      expect(platform.results(lineItemId)).toEqual([
        expect.objectContaining({ userId: 'u-0001', resultScore: 9 }),
      ]);
      const later = score({ scoreGiven: 10, timestamp: '2026-12-02T11:00:00.000+01:00' });
      expect((await postScore(lineItemId, later)).status).toBe(200);
      expect(platform.receivedScores(lineItemId).at(-1)?.outcome).toBe('ignored');
      const laterStill = score({ scoreGiven: 10, timestamp: '2026-12-02T10:00:01.000Z' });
      expect((await postScore(lineItemId, laterStill)).status).toBe(200);
      expect(platform.results(lineItemId)[0]?.resultScore).toBe(10);
    });

    it('should answer results (Moodle scaling, no resultScore until FullyGraded), filtered by user_id', async () => {
      const lineItemId = await newLineItem({ scoreMaximum: 100 });
      await postScore(lineItemId, score({ userId: 'u-0001', scoreGiven: 5, scoreMaximum: 10 }));
      await postScore(
        lineItemId,
        score({ userId: 'u-0002', scoreGiven: 4, gradingProgress: 'PendingManual' }),
      );
      const [path, query] = lineItemId.split('?');
      const resultsUrl = `${path}/results?${query}`;

      const all = await call(resultsUrl, { token, accept: AGS_MEDIA_TYPE.resultContainer });
      expect(all.status).toBe(200);
      expect(all.headers.get('content-type')).toBe(AGS_MEDIA_TYPE.resultContainer);
      expect(all.body).toEqual([
        expect.objectContaining({ userId: 'u-0001', resultScore: 50, resultMaximum: 100 }),
        {
          id: `${path}/results?type_id=1&user_id=u-0002`,
          scoreOf: lineItemId,
          userId: 'u-0002',
          resultMaximum: 100,
        },
      ]);
      const one = await call(`${resultsUrl}&user_id=u-0002`, {
        token,
        accept: AGS_MEDIA_TYPE.resultContainer,
      });
      expect((one.body as { userId: string }[]).map((entry) => entry.userId)).toEqual(['u-0002']);
      const scoreOnly = await accessToken([LTI_SCOPE.score]);
      const refused = await call(resultsUrl, {
        token: scoreOnly,
        accept: AGS_MEDIA_TYPE.resultContainer,
      });
      expect(refused.status).toBe(403);
    });

    it('should take scores for a gradebook line item named in a launch claim', async () => {
      const item = platform.createLineItem(context, {
        label: 'Essay',
        scoreMaximum: 20,
        resourceLinkId: 'link-essay',
      });
      const claim = platform.agsClaim(context, { lineitem: item.id });
      expect(claim).toMatchObject({ lineitem: item.id, lineitems: lineItems });
      expect((await postScore(item.id, score({ scoreGiven: 18, scoreMaximum: 20 }))).status).toBe(
        200,
      );
      expect(platform.results(item.id)[0]).toMatchObject({ resultScore: 18, resultMaximum: 20 });
    });
  });

  describe('failure injection', () => {
    const context = 'course-failures';
    let token: string;
    let lineItemId: string;

    beforeAll(async () => {
      platform.setRoster(context, [member(1)]);
      token = await accessToken();
      lineItemId = platform.createLineItem(context, { label: 'Quiz', scoreMaximum: 10 }).id;
    });

    function postScore(timestamp: string) {
      const [path, query] = lineItemId.split('?');
      return call(`${path}/scores?${query}`, {
        token,
        method: 'POST',
        contentType: AGS_MEDIA_TYPE.score,
        body: {
          userId: 'u-0001',
          scoreGiven: 1,
          scoreMaximum: 10,
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
          timestamp,
        },
      });
    }

    it('should fail the next n matching calls, then serve normally', async () => {
      platform.failNext({ path: /\/scores\?/, status: 500, times: 2 });
      const statuses = [];
      for (const ms of [1, 2, 3]) {
        statuses.push((await postScore(`2026-12-02T10:00:00.00${ms}Z`)).status);
      }
      expect(statuses).toEqual([500, 500, 200]);
      expect(
        platform.serviceRequests.slice(-3).map((entry) => [entry.status, !!entry.injected]),
      ).toEqual([
        [500, true],
        [500, true],
        [200, false],
      ]);
      expect(platform.receivedScores(lineItemId)).toEqual([
        expect.objectContaining({ outcome: 'stored' }),
      ]);
    });

    it('should answer 429 with Retry-After', async () => {
      platform.failNext({ path: '/scores', status: 429, retryAfter: 3 });
      const answer = await postScore('2026-12-02T10:00:01.000Z');
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('3');
    });

    it('should fail the token endpoint and record the attempt', async () => {
      platform.failNext({ path: '/token', status: 503 });
      const claims = assertionClaims();
      const answer = await postToken(await keys.sign(claims), [LTI_SCOPE.score]);
      expect(answer.status).toBe(503);
      expect(platform.tokenRequests.at(-1)).toMatchObject({
        status: 503,
        injected: true,
        jti: claims.jti,
        clientId: 'dreamseed-tool',
        scopes: [LTI_SCOPE.score],
      });
    });

    it('should slow a call down, or never answer it', async () => {
      platform.failNext({ path: '/scores', delayMs: 300 });
      const started = Date.now();
      expect((await postScore('2026-12-02T10:00:02.000Z')).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);

      platform.failNext({ path: '/scores', hang: true });
      const [path, query] = lineItemId.split('?');
      await expect(
        fetch(`${path}/scores?${query}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': AGS_MEDIA_TYPE.score },
          body: '{}',
          signal: AbortSignal.timeout(300),
        }),
      ).rejects.toThrow(/timeout|aborted/i);
    });
  });
});
