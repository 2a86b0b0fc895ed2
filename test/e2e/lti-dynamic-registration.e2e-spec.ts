import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createTenant } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'https://tool.dreamseed.test';
const TOOL_CONFIG = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

interface Received {
  authorization?: string;
  contentType?: string;
  body: Record<string, unknown>;
}

/**
 * The platform side of LTI Dynamic Registration 1.0: an OpenID configuration and a registration
 * endpoint that checks the tool's request the way the spec requires, then issues a client.
 */
class RegistrationPlatform {
  private server!: Server;
  origin = '';
  issuerOverride: string | undefined;
  refuseWith: number | undefined;
  received: Received[] = [];
  readonly registrationToken = randomBytes(16).toString('hex');

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  get configurationUrl(): string {
    return `${this.origin}/.well-known/openid-configuration`;
  }

  private async handle(request: IncomingMessage, response: import('node:http').ServerResponse) {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.method === 'GET' && request.url === '/.well-known/openid-configuration') {
      send(200, {
        issuer: this.issuerOverride ?? this.origin,
        authorization_endpoint: `${this.origin}/auth`,
        token_endpoint: `${this.origin}/token`,
        jwks_uri: `${this.origin}/jwks`,
        registration_endpoint: `${this.origin}/register`,
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid'],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        claims_supported: ['sub', 'iss', 'name', 'email'],
        'https://purl.imsglobal.org/spec/lti-platform-configuration': {
          product_family_code: 'moodle',
          version: '4.3',
          messages_supported: [
            { type: 'LtiResourceLinkRequest' },
            { type: 'LtiDeepLinkingRequest' },
          ],
        },
      });
      return;
    }
    if (request.method === 'POST' && request.url === '/register') {
      let text = '';
      for await (const chunk of request) {
        text += String(chunk);
      }
      const body = JSON.parse(text) as Record<string, unknown>;
      this.received.push({
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body,
      });
      if (this.refuseWith) {
        send(this.refuseWith, { error: 'invalid_client_metadata', error_description: 'no thanks' });
        return;
      }
      const problems = specProblems(body);
      if (
        problems.length > 0 ||
        request.headers.authorization !== `Bearer ${this.registrationToken}`
      ) {
        send(400, { error: 'invalid_client_metadata', error_description: problems.join('; ') });
        return;
      }
      send(200, {
        ...body,
        client_id: `client-${randomBytes(4).toString('hex')}`,
        [TOOL_CONFIG]: { ...(body[TOOL_CONFIG] as object), deployment_id: 'dyn-deployment-1' },
      });
      return;
    }
    send(404, {});
  }
}

/** The tool registration's required fields (LTI Dynamic Registration 1.0 §3.3, §3.4). */
function specProblems(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const tool = body[TOOL_CONFIG] as Record<string, unknown> | undefined;
  const expect = (ok: boolean, what: string) => !ok && problems.push(what);
  expect(body.application_type === 'web', 'application_type web');
  expect(JSON.stringify(body.response_types) === '["id_token"]', 'response_types');
  expect(
    Array.isArray(body.grant_types) &&
      ['implicit', 'client_credentials'].every((g) => (body.grant_types as string[]).includes(g)),
    'grant_types',
  );
  expect(typeof body.initiate_login_uri === 'string', 'initiate_login_uri');
  expect(Array.isArray(body.redirect_uris) && body.redirect_uris.length > 0, 'redirect_uris');
  expect(typeof body.client_name === 'string', 'client_name');
  expect(typeof body.jwks_uri === 'string', 'jwks_uri');
  expect(body.token_endpoint_auth_method === 'private_key_jwt', 'token_endpoint_auth_method');
  expect(typeof tool?.domain === 'string', 'lti-tool-configuration.domain');
  expect(typeof tool?.target_link_uri === 'string', 'lti-tool-configuration.target_link_uri');
  expect(Array.isArray(tool?.claims), 'lti-tool-configuration.claims');
  expect(Array.isArray(tool?.messages), 'lti-tool-configuration.messages');
  return problems;
}

async function createLink(t: TestApp, tenantId: string, expiresInMs = 3600_000): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await query(
    t.databaseUrl,
    `INSERT INTO lti_registration_links (token_hash, tenant_id, expires_at) VALUES ($1, $2, $3)`,
    [
      createHash('sha256').update(token).digest('hex'),
      tenantId,
      new Date(Date.now() + expiresInMs),
    ],
  );
  return token;
}

describe('LTI Dynamic Registration (GET /lti/register)', () => {
  let t: TestApp;
  let platform: RegistrationPlatform;
  let tenant: string;

  beforeAll(async () => {
    platform = new RegistrationPlatform();
    await platform.start();
    t = await startTestApp({ env: { PUBLIC_URL } });
    tenant = await createTenant(t);
  });

  afterAll(async () => {
    await t.close();
    await platform.stop();
  });

  beforeEach(() => {
    platform.issuerOverride = undefined;
    platform.refuseWith = undefined;
    platform.received = [];
  });

  const open = async (params: Record<string, string>) => {
    const response = await fetch(
      `${t.baseUrl}/lti/register?${new URLSearchParams(params).toString()}`,
    );
    return {
      status: response.status,
      code: response.headers.get('x-error-code'),
      body: await response.text(),
      headers: response.headers,
    };
  };

  const platformsOf = (tenantId: string) =>
    query<{
      id: string;
      issuer: string;
      client_id: string;
      status: string;
      registered_via: string;
      product: string;
      auth_login_url: string;
      jwks_url: string;
      token_url: string;
    }>(
      t.databaseUrl,
      `SELECT id, issuer, client_id, status, registered_via, product, auth_login_url, jwks_url, token_url
       FROM lti_platforms WHERE tenant_id = $1`,
      [tenantId],
    );

  it('should register at the platform and keep the client awaiting the school admin', async () => {
    const school = await createTenant(t);
    const link = await createLink(t, school);
    const page = await open({
      registration_link: link,
      openid_configuration: platform.configurationUrl,
      registration_token: platform.registrationToken,
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-step="close"');
    expect(page.headers.get('x-frame-options')).toBeNull();
    // What the platform received: the spec's fields, our URLs from PUBLIC_URL, the token.
    expect(platform.received).toHaveLength(1);
    const sent = platform.received[0];
    expect(sent.authorization).toBe(`Bearer ${platform.registrationToken}`);
    expect(sent.contentType).toBe('application/json');
    expect(sent.body).toMatchObject({
      initiate_login_uri: `${PUBLIC_URL}/lti/login`,
      redirect_uris: [`${PUBLIC_URL}/lti/launch`],
      jwks_uri: `${PUBLIC_URL}/lti/jwks`,
      [TOOL_CONFIG]: { domain: 'tool.dreamseed.test', target_link_uri: `${PUBLIC_URL}/lti/launch` },
    });
    const [registered] = await platformsOf(school);
    expect(registered).toMatchObject({
      issuer: platform.origin,
      status: 'awaiting_approval',
      registered_via: 'dynamic',
      product: 'moodle',
      auth_login_url: `${platform.origin}/auth`,
      token_url: `${platform.origin}/token`,
      jwks_url: `${platform.origin}/jwks`,
    });
    expect(registered.client_id).toMatch(/^client-/);
    const deployments = await query<{ deployment_id: string; status: string }>(
      t.databaseUrl,
      `SELECT deployment_id, status FROM lti_deployments WHERE platform_id = $1`,
      [registered.id],
    );
    expect(deployments).toEqual([{ deployment_id: 'dyn-deployment-1', status: 'approved' }]);
    const [used] = await query<{ used_at: Date | null; platform_id: string }>(
      t.databaseUrl,
      `SELECT used_at, platform_id FROM lti_registration_links WHERE tenant_id = $1`,
      [school],
    );
    expect(used.used_at).not.toBeNull();
    expect(used.platform_id).toBe(registered.id);
  });

  it('should use a registration link once', async () => {
    const school = await createTenant(t);
    const link = await createLink(t, school);
    const params = {
      registration_link: link,
      openid_configuration: platform.configurationUrl,
      registration_token: platform.registrationToken,
    };
    expect((await open(params)).status).toBe(200);
    const again = await open(params);
    expect(again.status).toBe(400);
    expect(again.code).toBe('LTI_REGISTRATION_LINK_INVALID');
    expect(await platformsOf(school)).toHaveLength(1);
  });

  it.each([
    ['no registration link', () => Promise.resolve({})],
    ['an unknown link', () => Promise.resolve({ registration_link: 'not-a-link' })],
    [
      'an expired link',
      async (t2: TestApp, school: string) => ({
        registration_link: await createLink(t2, school, -1000),
      }),
    ],
  ])('should refuse %s without fetching anything', async (_case, make) => {
    const school = await createTenant(t);
    const extra = await make(t, school);
    const response = await open({
      openid_configuration: platform.configurationUrl,
      registration_token: 'x',
      ...extra,
    });
    expect(response.status).toBe(400);
    expect(response.code).toBe('LTI_REGISTRATION_LINK_INVALID');
    expect(platform.received).toHaveLength(0);
    expect(await platformsOf(school)).toHaveLength(0);
  });

  it('should refuse a configuration whose issuer is on another origin', async () => {
    const school = await createTenant(t);
    platform.issuerOverride = 'https://canvas.instructure.com';
    const response = await open({
      registration_link: await createLink(t, school),
      openid_configuration: platform.configurationUrl,
      registration_token: platform.registrationToken,
    });
    expect(response.status).toBe(502);
    expect(response.code).toBe('LTI_REGISTRATION_CONFIG_INVALID');
    expect(platform.received).toHaveLength(0);
    expect(await platformsOf(school)).toHaveLength(0);
    // The link was not spent: the admin can try again once the LMS is fixed.
    const [link] = await query<{ used_at: Date | null }>(
      t.databaseUrl,
      `SELECT used_at FROM lti_registration_links WHERE tenant_id = $1`,
      [school],
    );
    expect(link.used_at).toBeNull();
  });

  it('should report the platform refusing the registration, with its message', async () => {
    const school = await createTenant(t);
    platform.refuseWith = 400;
    const response = await open({
      registration_link: await createLink(t, school),
      openid_configuration: platform.configurationUrl,
      registration_token: platform.registrationToken,
    });
    expect(response.status).toBe(502);
    expect(response.code).toBe('LTI_REGISTRATION_REFUSED_BY_PLATFORM');
    expect(await platformsOf(school)).toHaveLength(0);
  });

  it('should refuse a missing or non-http openid_configuration', async () => {
    const response = await open({
      registration_link: await createLink(t, tenant),
      openid_configuration: 'file:///etc/passwd',
    });
    expect(response.status).toBe(400);
    expect(response.code).toBe('LTI_REGISTRATION_REQUEST_INVALID');
  });
});
