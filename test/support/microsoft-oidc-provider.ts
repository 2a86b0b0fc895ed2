import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider, { type Configuration } from 'oidc-provider';
import { close, listen, readBody, sendJson } from './provider-http.js';

/**
 * node-oidc-provider dressed as the Microsoft identity platform v2.0 endpoint
 * (login.microsoftonline.com), one provider per tenant behind one local server:
 *
 * - `GET /{tid}/v2.0/.well-known/openid-configuration`: issuer `http://127.0.0.1:<port>/{tid}/v2.0`;
 *   endpoints `/{tid}/oauth2/v2.0/authorize`, `/{tid}/oauth2/v2.0/token`,
 *   `/{tid}/discovery/v2.0/keys`, `/{tid}/oidc/userinfo`, `/{tid}/oauth2/v2.0/logout`.
 * - `GET /organizations/v2.0/.well-known/openid-configuration` (and `common`): as Microsoft's,
 *   its issuer is the literal template `http://127.0.0.1:<port>/{tenantid}/v2.0`; its endpoints
 *   live under `/organizations/...`; each id_token's `iss` is the signed-in user's own tenant
 *   (`.../{user's tid}/v2.0`). An unknown tenant is 400 `invalid_tenant` (AADSTS90002).
 * - Authorization code flow (response_type=code, query response mode), PKCE S256 when the
 *   client sends a challenge, `nonce` echoed, client_secret_post or client_secret_basic at the
 *   token endpoint; codes are single use, bound to client, redirect_uri and code_challenge (all
 *   checked by oidc-provider). As Microsoft, no `iss` parameter in the authorization response.
 * - id_token (RS256, one signing key shared by all tenants, as Microsoft's are): `iss`, `aud` =
 *   client id, `sub` (pairwise per app), `oid`, `tid`, `ver: '2.0'`, `nonce`, and with the
 *   `profile` scope `name` and `preferred_username`, with the `email` scope `email` when the user
 *   has one.
 * - The sign-in page is answered as the next user (`nextUser`): consent given, or refused with
 *   `error=access_denied&error_description=AADSTS65004: ...` (`cancel: true`). A user of another
 *   tenant signing in at a tenant-specific authority gets `error=access_denied` with AADSTS50020.
 *   Every authorize request starts a fresh sign-in (no provider session is reused).
 *
 * Not mirrored: Microsoft's extra error fields (error_codes, trace_id, timestamp) on token
 * errors (oidc-provider answers `{ error, error_description }`), prompt=none, refresh tokens.
 */
export interface MicrosoftProviderOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  redirectUris: string[];
  /** Tenant ids (GUIDs) this server knows; default one random tenant. */
  tenants?: string[];
}

export interface MicrosoftUser {
  tid: string;
  oid: string;
  /** Default: derived from oid and client id, 43 characters as Microsoft's pairwise sub. */
  sub?: string;
  email?: string;
  preferredUsername: string;
  name: string;
  /** The user refuses consent (AADSTS65004). */
  cancel?: true;
}

export interface MicrosoftTokenRequest {
  tenant: string;
  authMethod: 'basic' | 'post' | 'none';
  codeVerifier?: string;
  grantType?: string;
}

const TEMPLATE_TENANTS = new Set(['organizations', 'common']);

export class MicrosoftOidcProvider {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tenants: string[];
  readonly tokenRequests: MicrosoftTokenRequest[] = [];
  private readonly providers = new Map<string, Provider>();
  private readonly accounts = new Map<string, MicrosoftUser & { sub: string }>();
  private readonly codeTenants = new Map<string, string>();
  private readonly server = http.createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendJson(response, 500, { error: 'server_error', error_description: String(error) });
      }
    });
  });
  private user?: MicrosoftUser & { sub: string };
  private port = 0;

  constructor(private readonly options: MicrosoftProviderOptions) {
    this.clientId = options.clientId ?? randomUUID();
    this.clientSecret =
      options.clientSecret ?? createHash('sha256').update(randomUUID()).digest('base64url');
    this.tenants = options.tenants ?? [randomUUID()];
  }

  async start(): Promise<void> {
    this.port = await listen(this.server, this.options.port ?? 0);
    const key = {
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
      use: 'sig',
      alg: 'RS256',
      kid: createHash('sha1').update(randomUUID()).digest('base64url').slice(0, 27),
    };
    for (const tid of this.tenants) {
      this.providers.set(tid, this.makeProvider(tid, key));
    }
  }

  async stop(): Promise<void> {
    await close(this.server);
  }

  /** `MICROSOFT_AUTHORITY_URL` for the app. */
  get authorityUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The issuer of a tenant: `${authority}/${tid}/v2.0`; the template for organizations/common. */
  issuerFor(tenant: string): string {
    return `${this.authorityUrl}/${TEMPLATE_TENANTS.has(tenant) ? '{tenantid}' : tenant}/v2.0`;
  }

  discoveryUrl(tenant = 'organizations'): string {
    return `${this.authorityUrl}/${tenant}/v2.0/.well-known/openid-configuration`;
  }
  authorizationUrl(tenant = 'organizations'): string {
    return `${this.authorityUrl}/${tenant}/oauth2/v2.0/authorize`;
  }
  tokenUrl(tenant = 'organizations'): string {
    return `${this.authorityUrl}/${tenant}/oauth2/v2.0/token`;
  }
  jwksUrl(tenant = 'organizations'): string {
    return `${this.authorityUrl}/${tenant}/discovery/v2.0/keys`;
  }

  /** The app's MICROSOFT_* variables pointing at this server. */
  env(callbackUrl: string, tenant = 'organizations'): Record<string, string> {
    return {
      MICROSOFT_CLIENT_ID: this.clientId,
      MICROSOFT_CLIENT_SECRET: this.clientSecret,
      MICROSOFT_CALLBACK_URL: callbackUrl,
      MICROSOFT_TENANT: tenant,
      MICROSOFT_AUTHORITY_URL: this.authorityUrl,
    };
  }

  /** The user who signs in (or refuses) at the next authorize request, and after. */
  nextUser(user: MicrosoftUser): void {
    if (!this.providers.has(user.tid) && this.providers.size > 0) {
      throw new Error(`tenant ${user.tid} is not one of this server's: ${this.tenants.join(', ')}`);
    }
    const sub =
      user.sub ??
      createHash('sha256').update(`${user.oid}:${this.clientId}`).digest('base64url').slice(0, 43);
    this.user = { ...user, sub };
    this.accounts.set(sub, this.user);
  }

  private makeProvider(tid: string, key: Record<string, unknown>): Provider {
    const configuration: Configuration = {
      clients: [
        {
          client_id: this.clientId,
          client_secret: this.clientSecret,
          redirect_uris: this.options.redirectUris,
          application_type: 'native',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      routes: {
        authorization: '/oauth2/v2.0/authorize',
        token: '/oauth2/v2.0/token',
        jwks: '/discovery/v2.0/keys',
        userinfo: '/oidc/userinfo',
        end_session: '/oauth2/v2.0/logout',
      },
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      claims: {
        openid: ['sub', 'oid', 'tid', 'ver'],
        profile: ['name', 'preferred_username'],
        email: ['email'],
      },
      conformIdTokenClaims: false,
      pkce: { required: () => false },
      cookies: { keys: [`microsoft-test-${tid}`] },
      jwks: { keys: [key] as never },
      ttl: {
        AccessToken: 3600,
        AuthorizationCode: 600,
        Grant: 600,
        IdToken: 3600,
        Interaction: 600,
        Session: 600,
      },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/${tid}/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => {
        const account = this.accounts.get(sub);
        return {
          accountId: sub,
          claims: () => ({
            sub,
            oid: account?.oid,
            tid: account?.tid,
            ver: '2.0',
            name: account?.name,
            preferred_username: account?.preferredUsername,
            ...(account?.email ? { email: account.email } : {}),
          }),
        };
      },
      fetch: ((url: string, { dispatcher: _d, ...init }: RequestInit & { dispatcher?: unknown }) =>
        globalThis.fetch(url, init)) as never,
    };
    return new Provider(`${this.authorityUrl}/${tid}/v2.0`, configuration);
  }

  private async handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', this.authorityUrl);
    const [, tenant = '', ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    const template = TEMPLATE_TENANTS.has(tenant);
    if (!template && !this.providers.has(tenant)) {
      return sendJson(response, 400, {
        error: 'invalid_tenant',
        error_description: `AADSTS90002: Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        error_codes: [90002],
      });
    }
    if (path === '/v2.0/.well-known/openid-configuration') {
      return sendJson(response, 200, await this.discovery(tenant), {
        'access-control-allow-origin': '*',
      });
    }
    if (path === '/v2.0/__raw' && !template) {
      // The tenant provider's own discovery document, mounted at /{tid}.
      (request as { originalUrl?: string }).originalUrl =
        `/${tenant}/.well-known/openid-configuration`;
      request.url = '/.well-known/openid-configuration';
      await this.providerFor(tenant).callback()(request, response);
      return;
    }
    if (path.startsWith('/interaction/')) {
      return this.interact(this.providerFor(tenant), tenant, request, response);
    }
    let target = template
      ? this.providerFor(this.user?.tid ?? this.tenants[0])
      : this.providerFor(tenant);
    if (path === '/oauth2/v2.0/token' && request.method === 'POST') {
      target = await this.prepareToken(request, tenant, target);
    }
    if (path === '/oauth2/v2.0/authorize' && request.method === 'GET') {
      // A fresh sign-in each time: the provider never sees an earlier session.
      request.headers.cookie = (request.headers.cookie ?? '')
        .split(/;\s*/)
        .filter((cookie) => !cookie.startsWith('_session'))
        .join('; ');
    }
    this.watchRedirect(response, target);
    (request as { originalUrl?: string }).originalUrl = request.url;
    request.url = `${path}${url.search}`;
    await target.callback()(request, response);
  }

  private providerFor(tid: string): Provider {
    const provider = this.providers.get(tid);
    if (!provider) {
      throw new Error(`no tenant ${tid}`);
    }
    return provider;
  }

  /** Reads the token call: which tenant issued the code, and Basic auth as form fields. */
  private async prepareToken(
    request: http.IncomingMessage,
    tenant: string,
    fallback: Provider,
  ): Promise<Provider> {
    const body = new URLSearchParams(await readBody(request));
    const header = request.headers.authorization;
    let authMethod: MicrosoftTokenRequest['authMethod'] = body.has('client_secret')
      ? 'post'
      : 'none';
    if (header?.toLowerCase().startsWith('basic ')) {
      // Microsoft takes either; oidc-provider takes the one registered (post).
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      body.set('client_id', decodeURIComponent(decoded.slice(0, colon)));
      body.set('client_secret', decodeURIComponent(decoded.slice(colon + 1)));
      delete request.headers.authorization;
      authMethod = 'basic';
    }
    this.tokenRequests.push({
      tenant,
      authMethod,
      codeVerifier: body.get('code_verifier') ?? undefined,
      grantType: body.get('grant_type') ?? undefined,
    });
    const encoded = body.toString();
    (request as { body?: string }).body = encoded;
    request.headers['content-length'] = String(Buffer.byteLength(encoded));
    const issuedBy = this.codeTenants.get(body.get('code') ?? '');
    return TEMPLATE_TENANTS.has(tenant) && issuedBy ? this.providerFor(issuedBy) : fallback;
  }

  /** Notes which tenant issued each code, and drops the `iss` parameter Microsoft doesn't send. */
  private watchRedirect(response: http.ServerResponse, provider: Provider): void {
    const tid = [...this.providers].find(([, p]) => p === provider)?.[0] ?? '';
    const setHeader = response.setHeader.bind(response);
    response.setHeader = (name: string, value: number | string | readonly string[]) => {
      if (name.toLowerCase() === 'location' && typeof value === 'string') {
        const location = new URL(value, this.authorityUrl);
        if (this.options.redirectUris.includes(`${location.origin}${location.pathname}`)) {
          location.searchParams.delete('iss');
          const code = location.searchParams.get('code');
          if (code) {
            this.codeTenants.set(code, tid);
          }
          return setHeader(name, location.toString());
        }
      }
      return setHeader(name, value);
    };
  }

  private async discovery(tenant: string): Promise<Record<string, unknown>> {
    const source = TEMPLATE_TENANTS.has(tenant) ? this.tenants[0] : tenant;
    const raw = await new Promise<Record<string, unknown>>((resolve, reject) => {
      // Ask the tenant's provider for its own document, mounted at /{tenant}.
      const request = http.request(
        `${this.authorityUrl}/${source}/v2.0/__raw`,
        { method: 'GET' },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
        },
      );
      request.on('error', reject);
      request.end();
    }).catch(() => ({}));
    const document = JSON.parse(
      JSON.stringify(raw).replaceAll(
        `${this.authorityUrl}/${source}/`,
        `${this.authorityUrl}/${tenant}/`,
      ),
    ) as Record<string, unknown>;
    delete document.authorization_response_iss_parameter_supported;
    return {
      ...document,
      issuer: this.issuerFor(tenant),
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      tenant_region_scope: null,
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  private async interact(
    provider: Provider,
    tenant: string,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    const user = this.user;
    if (!user || user.cancel) {
      await provider.interactionFinished(request, response, {
        error: 'access_denied',
        error_description: 'AADSTS65004: User declined to consent to access the app.',
      });
      return;
    }
    if (user.tid !== tenant) {
      await provider.interactionFinished(request, response, {
        error: 'access_denied',
        error_description: `AADSTS50020: User account '${user.preferredUsername}' from identity provider does not exist in tenant '${tenant}' and cannot access the application '${this.clientId}' in that tenant.`,
      });
      return;
    }
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: user.sub } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const grant = new provider.Grant({
      accountId: details.session?.accountId ?? '',
      clientId: String(details.params.client_id),
    });
    grant.addOIDCScope(String(details.params.scope));
    await provider.interactionFinished(
      request,
      response,
      { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true },
    );
  }
}
