import {
  createHmac,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
  type webcrypto,
} from 'node:crypto';
import http from 'node:http';
import { SignJWT } from 'jose';
import Provider, { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import {
  LtiAgs,
  type AgsClaimOptions,
  type AgsResult,
  type LineItem,
  type LineItemInput,
  type ReceivedScore,
} from './lti-ags.js';
import { LtiNrps, type RosterMember, type RosterOptions } from './lti-nrps.js';
import {
  assertLtiClientAssertion,
  LtiServices,
  SERVICE_SCOPES,
  tokenEndpointMiddleware,
  type FailureRule,
  type ServiceRequestRecord,
  type TokenErrorHolder,
  type TokenRequestRecord,
} from './lti-platform-services.js';
import { RedirectBrowser } from './redirect-browser.js';

/** The claim names LTI 1.3 (Core, AGS, NRPS, Deep Linking) puts in a launch's id_token. */
export const LTI_CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  roleScopeMentor: 'https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  lis: 'https://purl.imsglobal.org/spec/lti/claim/lis',
  forUser: 'https://purl.imsglobal.org/spec/lti/claim/for_user',
  ags: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

/** LIS v2 role URIs, as real platforms send them. */
export const LTI_ROLE = {
  learner: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner',
  instructor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor',
  teachingAssistant:
    'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant',
  contentDeveloper: 'http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper',
  mentor: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor',
  administrator: 'http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator',
  institutionStudent: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student',
  institutionInstructor: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor',
  institutionAdministrator:
    'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator',
  systemAdministrator: 'http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator',
} as const;

const COURSE_OFFERING = 'http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering';
const STANDARD_CLAIMS = [
  'sub',
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'email',
  'picture',
  'locale',
];
/** Set by oidc-provider itself; a plan cannot drop or replace them (use signIdToken instead). */
const PROVIDER_CLAIMS = new Set(['iss', 'aud', 'azp', 'iat', 'exp', 'nonce', 'auth_time', 'jti']);

export interface LtiClientConfig {
  clientId: string;
  /** The tool's base URL: /lti/login and /lti/launch hang below it. */
  toolUrl: string;
  deploymentIds: string[];
  /** Defaults to `${toolUrl}/lti/launch`. */
  redirectUris?: string[];
  /** The service scopes the client may get with client_credentials; default all five. */
  scopes?: string[];
}

export interface LtiPlatformOptions {
  port: number;
  clientId: string;
  toolUrl: string;
  deploymentId: string;
  /** The host in the issuer and every platform URL; it listens on loopback either way. */
  host?: '127.0.0.1' | 'localhost';
  displayName?: string;
  /** More tools (or more deployments of one) registered on the same platform. */
  extraClients?: LtiClientConfig[];
  /** Claim names beyond the LTI ones (LTI_CLAIM) that plans may put in `extraClaims`. */
  extraClaimNames?: string[];
  /** Lifetime of client_credentials access tokens; default 3600 (see serviceTokenTtlSeconds). */
  serviceTokenTtlSeconds?: number;
}

export type LtiUser =
  | { sub: string; name: string; given_name?: string; family_name?: string; email?: string }
  | { anonymous: true };

export interface LaunchPlanInput {
  user: LtiUser;
  roles: string[];
  resourceLink: { id: string; title?: string; description?: string };
  context?: { id: string; label?: string; title?: string; type?: string[] };
  /** Defaults to the platform's first client. */
  clientId?: string;
  /** Defaults to the client's first deployment. */
  deploymentId?: string;
  messageType?: string;
  /** Defaults to `${toolUrl}/lti/launch`... of the client; the login URL carries the same. */
  targetLinkUri?: string;
  custom?: Record<string, string>;
  /** Added (or overriding) claims; names must be LTI_CLAIM values or `extraClaimNames`. */
  extraClaims?: Record<string, unknown>;
  /** Claim names to leave out of the id_token (not iss/aud/iat/exp/nonce: see signIdToken). */
  dropClaims?: string[];
  /** Adds lti_storage_target to the login URL (1EdTech Platform Storage); use '_parent'. */
  storageTarget?: string;
  /** Defaults to the user's sub (a random opaque value for an anonymous launch). */
  loginHint?: string;
}

export interface LaunchPlan {
  /** The lti_message_hint: it names the plan, so the id_token carries the plan's claims. */
  hint: string;
  loginHint: string;
  clientId: string;
  deploymentId: string;
  /** The tool's /lti/login URL with every third-party-initiated-login parameter. */
  loginUrl: string;
  /** The claims the platform will put in the id_token (without iss/aud/iat/exp/nonce). */
  claims: Record<string, unknown>;
}

export type SigningKey = 'platform' | 'other' | KeyObject | webcrypto.CryptoKey;

export interface SignOptions {
  alg?: 'RS256' | 'HS256' | 'none';
  /** The header's kid; null leaves it out. Defaults to the kid of the key used. */
  kid?: string | null;
  /** RS256 only: the platform's real key (default), an unknown RSA key, or any key. */
  key?: SigningKey;
  /** HS256 only: the HMAC secret. Defaults to the platform's public key as PEM (alg confusion). */
  hmacSecret?: string | Buffer;
  /** Extra header fields (typ, jku, ...), merged over the generated header. */
  header?: Record<string, unknown>;
}

export interface ValidClaimsInput extends Partial<Omit<LaunchPlanInput, 'user'>> {
  nonce: string;
  user?: LtiUser;
  /** Seconds since the epoch; defaults to now. */
  iat?: number;
  /** Seconds the token lives; default 300. */
  lifetime?: number;
}

interface StoredPlan extends LaunchPlan {
  accountId: string;
}

function planOf(ctx: KoaContextWithOIDC): StoredPlan | undefined {
  return (ctx.state as { ltiPlan?: StoredPlan }).ltiPlan;
}

interface PlatformClient extends LtiClientConfig {
  redirectUris: string[];
  scopes: string[];
  /** Moodle's tool type id, in service URLs (type_id=, bindings/<id>): 1 for the first client. */
  typeId: number;
}

/**
 * An LMS in miniature (an LTI 1.3 platform) on node-oidc-provider: third-party-initiated login
 * to the tool, an authorization endpoint answering prompt=none with a form_post RS256 id_token
 * carrying a launch plan's claims, a JWKS, and a course page implementing Platform Storage.
 *
 * oidc-provider knows nothing of LTI, so: the plan named by lti_message_hint signs its user in
 * for that one request (an `extraParams` validator logs the session in before the account is
 * loaded), `loadExistingGrant` grants openid, and the consent prompt's native-client check is
 * removed, so prompt=none never needs an interaction and no platform cookie is relied on.
 *
 * LTI Advantage: client_credentials tokens (private_key_jwt against `${toolUrl}/lti/jwks`),
 * NRPS and AGS on Moodle-shaped URLs; see lti-platform-services.ts, lti-nrps.ts, lti-ags.ts.
 */
export class LtiPlatform {
  readonly issuer: string;
  private readonly clients: PlatformClient[];
  private readonly plans = new Map<string, StoredPlan>();
  private readonly servers: http.Server[] = [];
  private readonly platformKey: KeyObject;
  private readonly platformPublicKey: KeyObject;
  private readonly platformPublicJwk: Record<string, unknown>;
  private readonly otherKey: KeyObject;
  private readonly claimNames: Set<string>;
  readonly kid: string;
  readonly otherKid = 'unknown-key';
  /** Lifetime of access tokens issued from now on; may be changed at any time. */
  serviceTokenTtlSeconds: number;
  private readonly services: LtiServices;
  private readonly nrps: LtiNrps;
  private readonly ags: LtiAgs;
  private provider?: Provider;

  constructor(private readonly options: LtiPlatformOptions) {
    this.issuer = `http://${options.host ?? '127.0.0.1'}:${options.port}`;
    this.clients = [
      {
        clientId: options.clientId,
        toolUrl: options.toolUrl,
        deploymentIds: [options.deploymentId],
      },
      ...(options.extraClients ?? []),
    ].map((client, index) => ({
      ...client,
      redirectUris: client.redirectUris ?? [`${client.toolUrl}/lti/launch`],
      scopes: [...(client.scopes ?? SERVICE_SCOPES)],
      typeId: index + 1,
    }));
    this.serviceTokenTtlSeconds = options.serviceTokenTtlSeconds ?? 3600;
    this.nrps = new LtiNrps(this.issuer);
    this.ags = new LtiAgs(this.issuer, this.nrps);
    this.services = new LtiServices(
      {
        findToken: async (value) => {
          const token = await this.provider?.ClientCredentials.find(value);
          // find() allows clockTolerance (15 s) past exp; a real platform does not.
          return token?.clientId && !token.isExpired
            ? { clientId: token.clientId, scopes: new Set((token.scope ?? '').split(' ')) }
            : undefined;
        },
        destroyToken: async (value) => {
          await (await this.provider?.ClientCredentials.find(value))?.destroy();
        },
        typeIdOf: (clientId) => this.client(clientId).typeId,
      },
      [this.nrps, this.ags],
    );
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.platformKey = privateKey;
    this.platformPublicKey = publicKey;
    this.kid = `platform-${randomBytes(6).toString('hex')}`;
    this.platformPublicJwk = { ...publicKey.export({ format: 'jwk' }), kid: this.kid };
    this.otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    this.claimNames = new Set([
      ...STANDARD_CLAIMS,
      ...Object.values(LTI_CLAIM),
      ...(options.extraClaimNames ?? []),
    ]);
  }

  get authLoginUrl(): string {
    return `${this.issuer}/auth`;
  }

  get tokenUrl(): string {
    return `${this.issuer}/token`;
  }

  get jwksUrl(): string {
    return `${this.issuer}/jwks`;
  }

  /** The platform's public signing key as PEM (the HS256 alg-confusion secret). */
  get publicKeyPem(): string {
    return this.platformPublicKey.export({ format: 'pem', type: 'spki' }).toString();
  }

  /** The platform's public signing key as a JWK (kid included). */
  get publicJwk(): Record<string, unknown> {
    return { ...this.platformPublicJwk };
  }

  /** The body of POST /api/v1/lti/platforms registering this platform for one client. */
  registration(clientId = this.options.clientId): {
    issuer: string;
    client_id: string;
    auth_login_url: string;
    token_url: string;
    jwks_url: string;
    display_name: string;
    product: 'moodle';
    deployment_ids: string[];
  } {
    return {
      issuer: this.issuer,
      client_id: clientId,
      auth_login_url: this.authLoginUrl,
      token_url: this.tokenUrl,
      jwks_url: this.jwksUrl,
      display_name: this.options.displayName ?? 'Test Moodle',
      product: 'moodle',
      deployment_ids: [...this.client(clientId).deploymentIds],
    };
  }

  async start(): Promise<void> {
    const policy = interactionPolicy.base();
    policy.get('consent')?.checks.remove('native_client_prompt');
    const provider = new Provider(this.issuer, {
      clients: this.clients.map((client) => ({
        client_id: client.clientId,
        redirect_uris: client.redirectUris,
        // Loopback http:// redirect URIs are refused for web clients using the implicit flow.
        application_type: 'native',
        response_types: ['id_token'],
        grant_types: ['implicit', 'client_credentials'],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'RS256',
        jwks_uri: `${client.toolUrl}/lti/jwks`,
        scope: ['openid', ...client.scopes].join(' '),
        id_token_signed_response_alg: 'RS256',
      })),
      scopes: ['openid', ...SERVICE_SCOPES],
      assertJwtClientAuthClaimsAndHeader: (_ctx, claims, header, client) => {
        assertLtiClientAssertion(
          claims,
          header,
          client.clientId,
          (message) => new errors.InvalidClientAuth(message),
        );
        return Promise.resolve();
      },
      responseTypes: ['id_token'],
      // Only names listed here reach the id_token, whatever findAccount's claims() returns.
      claims: { openid: [...this.claimNames] },
      extraParams: {
        lti_message_hint: (ctx: KoaContextWithOIDC, value: string | undefined) => {
          this.signInFromHint(ctx, value);
        },
      },
      loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
        const grant = new ctx.oidc.provider.Grant({
          accountId: ctx.oidc.session?.accountId,
          clientId: ctx.oidc.client?.clientId,
        });
        const scope = ctx.oidc.params?.scope;
        grant.addOIDCScope(typeof scope === 'string' ? scope : 'openid');
        // oidc-provider always sets sub to the accountId; rejecting the claim is the only way
        // to issue an id_token without one (an anonymous launch).
        if (!('sub' in (planOf(ctx)?.claims ?? {}))) {
          grant.rejectOIDCClaims(['sub']);
        }
        await grant.save();
        return grant;
      },
      findAccount: (ctx, accountId) => {
        const plan = planOf(ctx);
        if (!plan || plan.accountId !== accountId) {
          return undefined;
        }
        // An anonymous launch has no sub: the id_token then has none either.
        return { accountId, claims: () => ({ ...plan.claims }) as { sub: string } };
      },
      interactions: {
        policy,
        url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      },
      features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true } },
      cookies: { keys: [randomBytes(16).toString('hex')] },
      jwks: {
        keys: [
          {
            ...this.platformKey.export({ format: 'jwk' }),
            kid: this.kid,
            use: 'sig',
            alg: 'RS256',
          },
        ] as never,
      },
      ttl: {
        IdToken: 300,
        Interaction: 300,
        Session: 300,
        Grant: 300,
        ClientCredentials: () => this.serviceTokenTtlSeconds,
      },
      // oidc-provider refuses outgoing fetches to loopback (an SSRF guard); tests need them.
      fetch: ((url: string | URL, { dispatcher: _dispatcher, ...init }: Record<string, unknown>) =>
        globalThis.fetch(url, init)) as never,
    });
    this.provider = provider;
    provider.on('grant.error', (ctx, error) => {
      (ctx.state as TokenErrorHolder).ltiTokenError = { ...error };
    });
    provider.use(
      tokenEndpointMiddleware(
        this.services,
        (clientId) => this.clients.find((client) => client.clientId === clientId)?.scopes,
      ) as never,
    );
    const handle = provider.callback();
    const listener: http.RequestListener = (request, response) => {
      const url = new URL(request.url ?? '/', this.issuer);
      if (request.method === 'GET' && url.pathname === '/course') {
        this.coursePage(url, response);
        return;
      }
      if (this.services.handles(url)) {
        void this.services.handle(request, response, url);
        return;
      }
      if (url.pathname === '/token') {
        void this.services.handleToken(request, response, url, handle);
        return;
      }
      if (url.pathname.startsWith('/interaction/')) {
        // Never reached for prompt=none; a launch must not need the user.
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('this platform has no interactive sign-in');
        return;
      }
      void handle(request, response);
    };
    const addresses = this.options.host === 'localhost' ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
    for (const address of addresses) {
      const server = http.createServer(listener);
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.options.port, address, resolve);
        });
        this.servers.push(server);
      } catch (error) {
        // ::1 may be unavailable; 127.0.0.1 must work.
        if (address === '127.0.0.1') {
          throw error;
        }
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
    this.servers.length = 0;
  }

  /**
   * Plans a launch: returns the tool's login URL and the lti_message_hint naming the plan. The
   * id_token the platform then issues carries exactly the plan's claims (plus iss, aud, iat,
   * exp, nonce from oidc-provider).
   */
  prepareLaunch(input: LaunchPlanInput): LaunchPlan {
    const client = this.client(input.clientId ?? this.options.clientId);
    const deploymentId = input.deploymentId ?? client.deploymentIds[0] ?? '';
    for (const name of Object.keys(input.extraClaims ?? {})) {
      if (!this.claimNames.has(name)) {
        throw new Error(`extraClaims.${name}: list it in LtiPlatformOptions.extraClaimNames`);
      }
    }
    for (const name of input.dropClaims ?? []) {
      if (PROVIDER_CLAIMS.has(name)) {
        throw new Error(`dropClaims: oidc-provider always sets ${name}; use signIdToken`);
      }
    }
    const hint = `plan-${randomBytes(9).toString('hex')}`;
    const loginHint =
      input.loginHint ??
      ('anonymous' in input.user ? `anon-${randomBytes(6).toString('hex')}` : input.user.sub);
    const targetLinkUri = input.targetLinkUri ?? `${client.toolUrl}/lti/launch`;
    const claims = this.planClaims({ ...input, deploymentId, targetLinkUri }, client);
    const login = new URL(`${client.toolUrl}/lti/login`);
    login.search = new URLSearchParams({
      iss: this.issuer,
      login_hint: loginHint,
      target_link_uri: targetLinkUri,
      lti_message_hint: hint,
      lti_deployment_id: deploymentId,
      client_id: client.clientId,
      ...(input.storageTarget ? { lti_storage_target: input.storageTarget } : {}),
    }).toString();
    const plan: StoredPlan = {
      hint,
      // oidc-provider's sub is the accountId: the user's sub, or (anonymous) the login hint.
      accountId: 'anonymous' in input.user ? loginHint : input.user.sub,
      loginHint,
      clientId: client.clientId,
      deploymentId,
      loginUrl: login.toString(),
      claims,
    };
    this.plans.set(hint, plan);
    const { accountId: _accountId, ...visible } = plan;
    return visible;
  }

  // LTI Advantage services (documented in lti-platform-services.ts, lti-nrps.ts, lti-ags.ts).

  get tokenRequests(): TokenRequestRecord[] {
    return this.services.tokenRequests;
  }

  get serviceRequests(): ServiceRequestRecord[] {
    return this.services.serviceRequests;
  }

  failNext(rule: FailureRule): void {
    this.services.failNext(rule);
  }

  revokeServiceTokens(): Promise<number> {
    return this.services.revokeServiceTokens();
  }

  /**
   * oidc-provider keeps a tool's JWKS for max(60 s, its Cache-Control max-age: 300 s for our
   * app) and refetches on an unknown kid only after that: call this after rotating tool keys.
   */
  async forgetToolKeys(clientId = this.options.clientId): Promise<void> {
    const client = (await this.provider?.Client.find(clientId)) as
      { asymmetricKeyStore?: { freshUntil?: number } } | undefined;
    if (client?.asymmetricKeyStore) {
      client.asymmetricKeyStore.freshUntil = 0;
    }
  }

  /** Empties tokenRequests, serviceRequests and receivedScores (state is kept). */
  clearServiceRecords(): void {
    this.services.tokenRequests.length = 0;
    this.services.serviceRequests.length = 0;
    this.ags.clearReceived();
  }

  setRoster(contextId: string, members: RosterMember[], options?: RosterOptions) {
    return this.nrps.setRoster(contextId, members, options);
  }

  roster(contextId: string): RosterMember[] {
    return this.nrps.roster(contextId);
  }

  nrpsClaim(
    contextId: string,
    { clientId = this.options.clientId }: { clientId?: string } = {},
  ): { context_memberships_url: string; service_versions: string[] } {
    return {
      context_memberships_url: this.nrps.membershipsUrl(contextId, this.client(clientId).typeId),
      service_versions: ['2.0'],
    };
  }

  /** The AGS part: the same object as lti-ags.ts's LtiAgs (line items, scores, results). */
  get grades(): LtiAgs {
    return this.ags;
  }

  agsClaim(
    contextId: string,
    { clientId = this.options.clientId, ...options }: AgsClaimOptions = {},
  ) {
    return this.ags.claim(contextId, this.client(clientId).typeId, options);
  }

  createLineItem(
    contextId: string,
    input: LineItemInput,
    { clientId = this.options.clientId }: { clientId?: string } = {},
  ): LineItem {
    return this.ags.createLineItem(contextId, input, this.client(clientId).typeId);
  }

  lineItems(contextId?: string): LineItem[] {
    return this.ags.lineItems(contextId);
  }

  receivedScores(lineItemId?: string): ReceivedScore[] {
    return this.ags.receivedScores(lineItemId);
  }

  results(lineItemId: string): AgsResult[] {
    return this.ags.results(lineItemId);
  }

  /** The platform's course page showing the plan's launch in an iframe named "tool". */
  coursePageUrl(plan: LaunchPlan | string): string {
    const hint = typeof plan === 'string' ? plan : plan.hint;
    return `${this.issuer}/course?plan=${encodeURIComponent(hint)}`;
  }

  /** A correct launch claim set (iss, aud, iat, exp, nonce included) for signIdToken. */
  validClaims(input: ValidClaimsInput): Record<string, unknown> {
    const client = this.client(input.clientId ?? this.options.clientId);
    const iat = input.iat ?? Math.floor(Date.now() / 1000);
    const claims = this.planClaims(
      {
        user: input.user ?? { sub: 'user-1', name: 'Ji-woo Kim', email: 'jiwoo@school.test' },
        roles: input.roles ?? [LTI_ROLE.learner],
        resourceLink: input.resourceLink ?? { id: 'resource-1', title: 'Fractions' },
        context: input.context ?? { id: 'course-1', label: 'MATH5', title: 'Mathematics 5' },
        deploymentId: input.deploymentId ?? client.deploymentIds[0] ?? '',
        targetLinkUri: input.targetLinkUri ?? `${client.toolUrl}/lti/launch`,
        messageType: input.messageType,
        custom: input.custom,
        extraClaims: input.extraClaims,
        dropClaims: input.dropClaims,
      },
      client,
    );
    const all: Record<string, unknown> = {
      iss: this.issuer,
      aud: client.clientId,
      azp: client.clientId,
      iat,
      exp: iat + (input.lifetime ?? 300),
      nonce: input.nonce,
      ...claims,
    };
    for (const name of input.dropClaims ?? []) {
      delete all[name];
    }
    return all;
  }

  /** Mints any token, valid or not, for negative tests. */
  signIdToken(claims: Record<string, unknown>, options: SignOptions = {}): Promise<string> {
    const alg = options.alg ?? 'RS256';
    if (alg === 'none' || alg === 'HS256') {
      const header = withKid({ alg, typ: 'JWT' }, options.kid, undefined, options.header);
      const input = `${base64url(header)}.${base64url(claims)}`;
      if (alg === 'none') {
        return Promise.resolve(`${input}.`);
      }
      const secret = options.hmacSecret ?? this.publicKeyPem;
      return Promise.resolve(
        `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`,
      );
    }
    const keyChoice = options.key ?? 'platform';
    const key =
      keyChoice === 'platform'
        ? this.platformKey
        : keyChoice === 'other'
          ? this.otherKey
          : keyChoice;
    const defaultKid =
      keyChoice === 'platform' ? this.kid : keyChoice === 'other' ? this.otherKid : undefined;
    const header = withKid({ alg, typ: 'JWT' }, options.kid, defaultKid, options.header);
    return new SignJWT(claims).setProtectedHeader(header as never).sign(key);
  }

  /** The whole browser flow for a login URL (see driveLaunch). */
  driveLaunch(loginUrl: string | LaunchPlan, browser?: RedirectBrowser): Promise<LaunchResult> {
    return driveLaunch(typeof loginUrl === 'string' ? loginUrl : loginUrl.loginUrl, { browser });
  }

  private client(clientId: string): PlatformClient {
    const client = this.clients.find((candidate) => candidate.clientId === clientId);
    if (!client) {
      throw new Error(`no client ${clientId} on this platform`);
    }
    return client;
  }

  private planClaims(
    input: Omit<LaunchPlanInput, 'deploymentId' | 'targetLinkUri'> & {
      deploymentId: string;
      targetLinkUri: string;
    },
    client: PlatformClient,
  ): Record<string, unknown> {
    const contextId = input.context?.id ?? 'no-context';
    const user: Record<string, unknown> =
      'anonymous' in input.user ? {} : { ...stripUndefined(input.user) };
    const claims: Record<string, unknown> = {
      ...user,
      [LTI_CLAIM.messageType]: input.messageType ?? 'LtiResourceLinkRequest',
      [LTI_CLAIM.version]: '1.3.0',
      [LTI_CLAIM.deploymentId]: input.deploymentId,
      [LTI_CLAIM.targetLinkUri]: input.targetLinkUri,
      [LTI_CLAIM.resourceLink]: stripUndefined(input.resourceLink),
      [LTI_CLAIM.roles]: [...input.roles],
      ...(input.context
        ? {
            [LTI_CLAIM.context]: stripUndefined({
              type: [COURSE_OFFERING],
              ...input.context,
            }),
          }
        : {}),
      [LTI_CLAIM.launchPresentation]: {
        document_target: 'iframe',
        return_url: `${this.issuer}/course/return`,
        locale: 'en',
      },
      [LTI_CLAIM.custom]: { ...(input.custom ?? {}) },
      [LTI_CLAIM.toolPlatform]: {
        guid: `${this.issuer}/`,
        name: this.options.displayName ?? 'Test Moodle',
        product_family_code: 'moodle',
        version: '2024100700',
      },
      [LTI_CLAIM.ags]: this.agsClaim(contextId, { clientId: client.clientId }),
      [LTI_CLAIM.nrps]: this.nrpsClaim(contextId, { clientId: client.clientId }),
      ...(input.extraClaims ?? {}),
    };
    for (const name of input.dropClaims ?? []) {
      delete claims[name];
    }
    return claims;
  }

  /**
   * Runs as an extraParams validator, i.e. after the session is loaded and before the account
   * is: the plan's user becomes the signed-in user for this request (transient, no cookie kept).
   */
  private signInFromHint(ctx: KoaContextWithOIDC, hint: string | undefined): void {
    if (ctx.oidc.route !== 'authorization') {
      return;
    }
    if (!hint) {
      throw new errors.InvalidRequest('lti_message_hint is required');
    }
    const plan = this.plans.get(hint);
    if (!plan || plan.clientId !== ctx.oidc.client?.clientId) {
      throw new errors.InvalidRequest('lti_message_hint names no launch for this client');
    }
    if (ctx.oidc.params?.login_hint !== plan.loginHint) {
      throw new errors.LoginRequired('login_hint is not the signed-in user');
    }
    (ctx.state as { ltiPlan?: StoredPlan }).ltiPlan = plan;
    ctx.oidc.session?.loginAccount({ accountId: plan.accountId, transient: true });
  }

  private coursePage(url: URL, response: http.ServerResponse): void {
    const plan = this.plans.get(url.searchParams.get('plan') ?? '');
    if (!plan) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('no such launch plan');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(coursePageHtml(plan.loginUrl));
  }
}

/** The platform half of 1EdTech Platform Storage (postMessage), per tool origin, in memory. */
function coursePageHtml(loginUrl: string): string {
  const script = `
const store = new Map();
window.ltiStorage = store;
window.ltiMessages = [];
window.addEventListener('message', (event) => {
  const data = event.data;
  if (!data || typeof data !== 'object' || typeof data.subject !== 'string') return;
  const frame = document.querySelector('iframe[name="tool"]');
  if (!frame || event.source !== frame.contentWindow) return;
  window.ltiMessages.push({ origin: event.origin, data });
  const bucket = store.get(event.origin) || new Map();
  store.set(event.origin, bucket);
  let reply;
  if (data.subject === 'lti.put_data') {
    bucket.set(data.key, data.value);
    reply = { subject: 'lti.put_data.response', message_id: data.message_id, key: data.key, value: data.value };
  } else if (data.subject === 'lti.get_data') {
    reply = { subject: 'lti.get_data.response', message_id: data.message_id, key: data.key, value: bucket.get(data.key) };
  } else if (data.subject === 'lti.capabilities') {
    reply = { subject: 'lti.capabilities.response', message_id: data.message_id,
      supported_messages: [{ subject: 'lti.put_data' }, { subject: 'lti.get_data' }] };
  } else {
    reply = { subject: data.subject + '.response', message_id: data.message_id,
      error: { code: 'unsupported_subject', message: 'unsupported subject ' + data.subject } };
  }
  event.source.postMessage(reply, event.origin);
});`;
  return `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>Course</title><script>${script}</script></head>
<body>
<h1>Course</h1>
<iframe name="tool" title="tool" src="${escapeHtml(loginUrl)}" width="900" height="600" allow="storage-access"></iframe>
</body>
</html>`;
}

// ---------------------------------------------------------------------------------------------
// The browser side: a fetch-based driver with cookies per origin (RedirectBrowser's jar).

export interface PlainResponse {
  status: number;
  headers: Headers;
  location?: string;
  setCookie: string[];
  body: string;
}

export interface LoginStep extends PlainResponse {
  /** The Location of the tool's redirect, when it redirected. */
  authUrl?: URL;
}

export interface AuthorizeStep extends PlainResponse {
  /** The form_post target (the tool's redirect_uri). */
  action: string;
  /** Every hidden input: id_token and state, or error and error_description. */
  fields: Record<string, string>;
  idToken?: string;
  state?: string;
}

export interface LaunchResult {
  loginResponse: LoginStep;
  authRedirect: URL;
  authorizeResponse: AuthorizeStep;
  idToken: string;
  state: string;
  launchResponse: PlainResponse;
  browser: RedirectBrowser;
}

/** A fresh browser (cookies per origin, no redirect following in `fetch`). */
export function newBrowser(): RedirectBrowser {
  return new RedirectBrowser('http://browser-never-stops.invalid');
}

/** Step 1: GET the tool's login URL; the tool should answer 302 to the platform. */
export async function startLogin(loginUrl: string, browser: RedirectBrowser): Promise<LoginStep> {
  const response = await plain(await browser.fetch(loginUrl));
  return {
    ...response,
    authUrl: response.location ? new URL(response.location, loginUrl) : undefined,
  };
}

/** Step 2: GET the platform's auth URL; parses the form_post page. */
export async function authorize(
  authUrl: string | URL,
  browser: RedirectBrowser,
): Promise<AuthorizeStep> {
  const response = await plain(await browser.fetch(authUrl.toString()));
  const form = parseFormPost(response.body);
  if (!form) {
    throw new Error(
      `no form_post page from ${authUrl.toString()}: ${response.status} ${response.location ?? ''} ${response.body.slice(0, 300)}`,
    );
  }
  return {
    ...response,
    action: form.action,
    fields: form.fields,
    idToken: form.fields.id_token,
    state: form.fields.state,
  };
}

/** Step 3: POST the form (form-encoded) to the tool, with the tool's cookies. */
export async function postLaunch(
  action: string,
  fields: Record<string, string>,
  browser: RedirectBrowser,
): Promise<PlainResponse> {
  return plain(
    await browser.fetch(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

/** The whole launch as a browser does it: login at the tool, auth at the platform, form_post. */
export async function driveLaunch(
  loginUrl: string,
  { browser = newBrowser() }: { browser?: RedirectBrowser } = {},
): Promise<LaunchResult> {
  const loginResponse = await startLogin(loginUrl, browser);
  if (loginResponse.status !== 302 || !loginResponse.authUrl) {
    throw new Error(
      `the tool's login answered ${loginResponse.status}, not a redirect: ${loginResponse.body.slice(0, 300)}`,
    );
  }
  const authorizeResponse = await authorize(loginResponse.authUrl, browser);
  const { idToken, state } = authorizeResponse;
  if (!idToken || state === undefined) {
    throw new Error(`the platform posted no id_token: ${JSON.stringify(authorizeResponse.fields)}`);
  }
  const launchResponse = await postLaunch(
    authorizeResponse.action,
    { id_token: idToken, state },
    browser,
  );
  return {
    loginResponse,
    authRedirect: loginResponse.authUrl,
    authorizeResponse,
    idToken,
    state,
    launchResponse,
    browser,
  };
}

/** Parses oidc-provider's form_post page (or any page with one form of hidden inputs). */
export function parseFormPost(
  html: string,
): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form[^>]*\baction="([^"]*)"/i.exec(html);
  if (!form) {
    return undefined;
  }
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0]);
    const value = /\bvalue="([^"]*)"/i.exec(input[0]);
    if (name) {
      fields[unescapeHtml(name[1] ?? '')] = unescapeHtml(value?.[1] ?? '');
    }
  }
  return { action: unescapeHtml(form[1] ?? ''), fields };
}

/** Splits a compact JWT without verifying it. */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
} {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    signature,
  };
}

async function plain(response: Response): Promise<PlainResponse> {
  return {
    status: response.status,
    headers: response.headers,
    location: response.headers.get('location') ?? undefined,
    setCookie: response.headers.getSetCookie(),
    body: await response.text(),
  };
}

function withKid(
  header: Record<string, unknown>,
  kid: string | null | undefined,
  defaultKid: string | undefined,
  extra: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const chosen = kid === undefined ? defaultKid : kid;
  return { ...header, ...(chosen ? { kid: chosen } : {}), ...(extra ?? {}) };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function stripUndefined<T extends object>(value: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined));
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
