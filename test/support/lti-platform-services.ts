/**
 * LTI Advantage services of the test platform (LtiPlatform), strict like Moodle/Canvas/Blackboard.
 *
 * Every service call (NRPS, AGS) goes through `LtiServices.handle`:
 * - 404 for an unknown service URL (route matched first, as Moodle's services.php does);
 * - 403 without a non-empty `User-Agent` (Canvas);
 * - 401 unless `Authorization: Bearer <token>` with a capital B (Blackboard) names a live
 *   client_credentials token (unknown, expired or revoked: 401);
 * - 403 `insufficient_scope` when the token lacks the endpoint's scope, or belongs to another
 *   tool (type id) than the URL's.
 *
 * Public API (through LtiPlatform, which delegates here):
 * - `tokenRequests: TokenRequestRecord[]`: every POST /token (client_id, scopes, assertion jti...).
 * - `serviceRequests: ServiceRequestRecord[]`: every service call, with its answer's status.
 * - `failNext(rule: FailureRule): void`: the next `times` requests matching `path` (RegExp or
 *   substring of path+query; /token included) answer `status` (with Retry-After when given), or
 *   are delayed by `delayMs`, or never answered (`hang`).
 * - `revokeServiceTokens(): Promise<number>`: every access token issued so far answers 401.
 * - `clearServiceRecords(): void`: empties the records above and receivedScores.
 * - `forgetToolKeys(clientId?): Promise<void>`: the tool's JWKS is fetched again on the next
 *   assertion with an unknown kid (after the tool rotates its key).
 * - `serviceTokenTtlSeconds` (option and mutable field, default 3600): lifetime of tokens issued
 *   from then on; an expired token answers 401 at once (oidc-provider's own find() would allow
 *   its 15 s clockTolerance).
 *
 * The token endpoint (oidc-provider, `${issuer}/token`): grant client_credentials with
 * private_key_jwt only, verified against `${toolUrl}/lti/jwks` (cached by oidc-provider for at
 * least 60 s; an unknown kid refetches only once that is stale). The assertion needs iss = sub =
 * client_id, aud = the token URL or the issuer (or an array holding one), exp, iat, a jti never
 * seen before for that iss (replay: 401 invalid_client), and a kid header. Scopes: only the five
 * LTI service scopes the client is allowed, at least one (else 400 invalid_scope).
 */
import type http from 'node:http';
import { decodeJwt, decodeProtectedHeader } from 'jose';

export const LTI_SCOPE = {
  lineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  lineItemReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  resultReadonly: 'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  score: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  contextMembershipReadonly:
    'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
} as const;

export const SERVICE_SCOPES: string[] = Object.values(LTI_SCOPE);

/** Moodle's service entry point; every NRPS and AGS URL hangs below it. */
export const SERVICES_PATH = '/mod/lti/services.php/';

export interface TokenRequestRecord {
  at: Date;
  /** 200 when a token was issued. */
  status: number;
  clientId?: string;
  grantType?: string;
  /** As requested (the scope parameter split on spaces). */
  scopes: string[];
  jti?: string;
  /** The client assertion, decoded without verification. */
  assertion?: { header: Record<string, unknown>; payload: Record<string, unknown> };
  grantedScopes?: string[];
  accessToken?: string;
  expiresIn?: number;
  error?: string;
  /** oidc-provider's reason (e.g. 'client assertion tokens must only be used once'). */
  errorDetail?: string;
  /** Answered by failNext, never seen by oidc-provider. */
  injected?: boolean;
}

export interface ServiceRequestRecord {
  at: Date;
  method: string;
  /** Path and query, as requested. */
  url: string;
  status: number;
  authorization?: string;
  userAgent?: string;
  accept?: string;
  contentType?: string;
  /** Parsed JSON when it parses, the raw text otherwise; undefined when empty. */
  body?: unknown;
  /** The token's client, once the token is known. */
  clientId?: string;
  injected?: boolean;
}

export interface FailureRule {
  /** Matched against path+query (a string matches as a substring). Default: any service call. */
  path?: RegExp | string;
  method?: string;
  /** The status to answer; leave out with delayMs to only slow the call down. */
  status?: number;
  /** How many matching requests it applies to; default 1. */
  times?: number;
  /** Retry-After header (seconds or an HTTP date). */
  retryAfter?: number | string;
  /** The JSON body of the failure; a default error body otherwise. */
  body?: unknown;
  /** Wait this long before answering (the failure, or the real answer without status). */
  delayMs?: number;
  /** Never answer (until the platform stops). */
  hang?: boolean;
}

export interface ServiceToken {
  clientId: string;
  scopes: Set<string>;
}

export interface ServiceRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  token: ServiceToken;
}

export interface ServiceResponse {
  status: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string. */
  body?: unknown;
}

/** A matched service URL: what it needs, and what answers it. */
export interface ServiceRoute {
  /** The token needs one of these. */
  scopes: string[];
  /** The tool (Moodle type id) named by the URL; the token's client must be that tool. */
  typeId: number;
  handle(request: ServiceRequest): ServiceResponse | Promise<ServiceResponse>;
}

export interface ServiceRouter {
  route(method: string, url: URL): ServiceRoute | undefined;
}

export interface LtiServicesDeps {
  findToken(value: string): Promise<ServiceToken | undefined>;
  destroyToken(value: string): Promise<void>;
  typeIdOf(clientId: string): number;
}

const MAX_BODY = 1024 * 1024;

export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body.message === 'string' ? body.message : `HTTP ${status}`);
  }
}

export function refuse(status: number, error: string, message: string): never {
  throw new HttpFailure(status, { error, message });
}

/** The media type of a Content-Type or one Accept entry, lower-cased, without parameters. */
export function mediaType(value: string | undefined): string {
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** 406 unless the Accept header lists the media type. */
export function requireAccept(headers: http.IncomingHttpHeaders, type: string): void {
  const listed = (headers.accept ?? '').split(',').map(mediaType);
  if (!listed.includes(type)) {
    refuse(406, 'not_acceptable', `Accept must list ${type}`);
  }
}

/** 415 unless the body is of that media type; then its JSON (400 when it does not parse). */
export function jsonBody(request: ServiceRequest, type: string): Record<string, unknown> {
  const actual = mediaType(request.headers['content-type']);
  if (actual !== type) {
    refuse(415, 'unsupported_media_type', `Content-Type must be ${type}, not ${actual || 'none'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body.toString('utf8'));
  } catch {
    refuse(400, 'invalid_json', 'the body is not JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    refuse(400, 'invalid_body', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/** A positive integer `limit` query parameter, or the default. */
export function limitOf(url: URL, fallback: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null) {
    return fallback;
  }
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1) {
    refuse(400, 'invalid_limit', 'limit must be a positive integer');
  }
  return limit;
}

/** Opaque page markers (base64url JSON), so a tool cannot build them and must follow links. */
export function encodeMarker(value: Record<string, number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeMarker(raw: string | null, name: string): Record<string, number> {
  try {
    const value = JSON.parse(Buffer.from(raw ?? '', 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      if (Object.values(value).every((entry) => Number.isInteger(entry))) {
        return value as Record<string, number>;
      }
    }
  } catch {
    // refused below
  }
  refuse(400, 'invalid_marker', `${name} is not a marker this platform issued`);
}

export class LtiServices {
  readonly tokenRequests: TokenRequestRecord[] = [];
  readonly serviceRequests: ServiceRequestRecord[] = [];
  private readonly failures: (FailureRule & { left: number })[] = [];
  private readonly issued = new Set<string>();

  constructor(
    private readonly deps: LtiServicesDeps,
    private readonly routers: ServiceRouter[],
  ) {}

  handles(url: URL): boolean {
    return url.pathname.startsWith(SERVICES_PATH);
  }

  failNext(rule: FailureRule): void {
    if (rule.status === undefined && rule.delayMs === undefined && !rule.hang) {
      throw new Error('failNext needs a status, a delayMs or hang');
    }
    this.failures.push({ ...rule, left: rule.times ?? 1 });
  }

  /** Remembers an issued access token, for revokeServiceTokens. */
  noteIssued(token: string): void {
    this.issued.add(token);
  }

  async destroyIssued(token: string): Promise<void> {
    this.issued.delete(token);
    await this.deps.destroyToken(token);
  }

  /** POST /token: failure injection, then oidc-provider (tokenEndpointMiddleware records it). */
  async handleToken(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
    next: (request: http.IncomingMessage, response: http.ServerResponse) => unknown,
  ): Promise<void> {
    const injected = await this.injectFailure(request, response, url, (status, body) => {
      const form = new URLSearchParams(body.toString('utf8'));
      const assertion = decodeAssertion(form.get('client_assertion'));
      this.tokenRequests.push({
        at: new Date(),
        status,
        injected: true,
        clientId: typeof assertion?.payload.iss === 'string' ? assertion.payload.iss : undefined,
        grantType: form.get('grant_type') ?? undefined,
        scopes: (form.get('scope') ?? '').split(' ').filter(Boolean),
        jti: typeof assertion?.payload.jti === 'string' ? assertion.payload.jti : undefined,
        assertion,
      });
    });
    if (!injected) {
      await next(request, response);
    }
  }

  async revokeServiceTokens(): Promise<number> {
    const tokens = [...this.issued];
    this.issued.clear();
    await Promise.all(tokens.map((token) => this.deps.destroyToken(token)));
    return tokens.length;
  }

  /**
   * Applies a matching failure rule, if any: answers (and returns true) for a failure or a
   * hang; for a delay only, waits and returns false so the request is served normally.
   */
  async injectFailure(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
    record: (status: number, body: Buffer) => void,
  ): Promise<boolean> {
    const target = `${url.pathname}${url.search}`;
    const index = this.failures.findIndex(
      (rule) =>
        (rule.method === undefined || rule.method.toUpperCase() === request.method) &&
        (rule.path === undefined ||
          (typeof rule.path === 'string' ? target.includes(rule.path) : rule.path.test(target))),
    );
    const rule = this.failures[index];
    if (!rule) {
      return false;
    }
    rule.left -= 1;
    if (rule.left <= 0) {
      this.failures.splice(index, 1);
    }
    if (rule.hang) {
      record(0, await readBody(request));
      return true;
    }
    if (rule.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, rule.delayMs));
    }
    if (rule.status === undefined) {
      return false;
    }
    record(rule.status, await readBody(request));
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (rule.retryAfter !== undefined) {
      headers['retry-after'] = String(rule.retryAfter);
    }
    send(response, {
      status: rule.status,
      headers,
      body: rule.body ?? { error: 'injected_failure', message: `injected ${rule.status}` },
    });
    return true;
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse, url: URL) {
    const method = request.method ?? 'GET';
    const record: ServiceRequestRecord = {
      at: new Date(),
      method,
      url: `${url.pathname}${url.search}`,
      status: 0,
      authorization: request.headers.authorization,
      userAgent: request.headers['user-agent'],
      accept: request.headers.accept,
      contentType: request.headers['content-type'],
    };
    this.serviceRequests.push(record);
    const injected = await this.injectFailure(request, response, url, (status, body) => {
      record.status = status;
      record.injected = true;
      record.body = parseForRecord(body);
    });
    if (injected) {
      return;
    }
    let answer: ServiceResponse;
    try {
      const body = await readBody(request);
      record.body = parseForRecord(body);
      const route = this.route(method, url);
      const token = await this.authorize(request, route, record);
      answer = await route.handle({ method, url, headers: request.headers, body, token });
    } catch (error) {
      answer =
        error instanceof HttpFailure
          ? { status: error.status, headers: error.headers, body: error.body }
          : { status: 500, body: { error: 'platform_bug', message: String(error) } };
    }
    record.status = answer.status;
    send(response, answer);
  }

  private route(method: string, url: URL): ServiceRoute {
    for (const router of this.routers) {
      const route = router.route(method, url);
      if (route) {
        return route;
      }
    }
    refuse(404, 'not_found', `no service at ${method} ${url.pathname}${url.search}`);
  }

  private async authorize(
    request: http.IncomingMessage,
    route: ServiceRoute,
    record: ServiceRequestRecord,
  ): Promise<ServiceToken> {
    if (!request.headers['user-agent']?.trim()) {
      refuse(403, 'forbidden', 'a User-Agent header is required');
    }
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(request.headers.authorization ?? '');
    const challenge = { 'www-authenticate': 'Bearer realm="lti"' };
    if (!match?.[1]) {
      throw new HttpFailure(
        401,
        { error: 'invalid_token', message: 'Authorization: Bearer <token> is required' },
        challenge,
      );
    }
    const token = await this.deps.findToken(match[1]);
    if (!token) {
      throw new HttpFailure(
        401,
        { error: 'invalid_token', message: 'the access token is unknown, expired or revoked' },
        { 'www-authenticate': 'Bearer realm="lti", error="invalid_token"' },
      );
    }
    record.clientId = token.clientId;
    if (!route.scopes.some((scope) => token.scopes.has(scope))) {
      throw new HttpFailure(
        403,
        { error: 'insufficient_scope', message: `the token needs ${route.scopes.join(' or ')}` },
        { 'www-authenticate': `Bearer realm="lti", error="insufficient_scope"` },
      );
    }
    if (this.deps.typeIdOf(token.clientId) !== route.typeId) {
      refuse(403, 'forbidden', 'the token belongs to another tool than this URL');
    }
    return token;
  }
}

export async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  if (request.readableEnded) {
    return Buffer.alloc(0);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      refuse(413, 'too_large', 'the body is too large');
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseForRecord(body: Buffer): unknown {
  if (body.length === 0) {
    return undefined;
  }
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function send(response: http.ServerResponse, answer: ServiceResponse): void {
  const headers = { ...(answer.headers ?? {}) };
  let payload = '';
  if (answer.body !== undefined) {
    payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    headers['content-type'] ??= 'application/json';
  }
  response.writeHead(answer.status, headers);
  response.end(payload);
}

// ---------------------------------------------------------------------------------------------
// The token endpoint's side: oidc-provider issues the tokens; these hooks make it LTI-strict
// and record what the tool sent.

interface TokenContext {
  method: string;
  path: string;
  status: number;
  body: unknown;
  state: Record<string, unknown>;
  oidc?: { params?: Record<string, unknown>; body?: Record<string, unknown> };
}

/** For oidc-provider's assertJwtClientAuthClaimsAndHeader: LTI wants sub = client_id, a kid. */
export function assertLtiClientAssertion(
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
  clientId: string,
  fail: (message: string) => Error,
): void {
  if (claims.sub !== clientId) {
    throw fail('sub (JWT subject) must be the client_id');
  }
  if (typeof claims.iat !== 'number') {
    throw fail('iat must be provided in the client_assertion JWT');
  }
  if (typeof header.kid !== 'string' || !header.kid) {
    throw fail('the client_assertion header must carry the kid of the signing key');
  }
}

export function decodeAssertion(
  assertion: unknown,
): { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined {
  if (typeof assertion !== 'string') {
    return undefined;
  }
  try {
    return {
      header: decodeProtectedHeader(assertion),
      payload: decodeJwt(assertion),
    };
  } catch {
    return undefined;
  }
}

export type TokenErrorHolder = { ltiTokenError?: Record<string, unknown> };

/**
 * Koa middleware (provider.use) around POST /token: refuses a client_credentials request
 * without scope or with a scope outside the client's LTI scopes (oidc-provider itself lets
 * unknown scopes through), and records every request.
 */
export function tokenEndpointMiddleware(
  services: LtiServices,
  allowedScopes: (clientId: string) => string[] | undefined,
) {
  return async (ctx: TokenContext, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token') {
      return;
    }
    // params drops scopes unknown to the provider; the raw body has the scope as sent.
    const params = { ...(ctx.oidc?.params ?? {}), ...(ctx.oidc?.body ?? {}) };
    const assertion = decodeAssertion(params.client_assertion);
    const scopes = typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [];
    const clientId =
      typeof params.client_id === 'string'
        ? params.client_id
        : typeof assertion?.payload.iss === 'string'
          ? assertion.payload.iss
          : undefined;
    const record: TokenRequestRecord = {
      at: new Date(),
      status: ctx.status,
      clientId,
      grantType: typeof params.grant_type === 'string' ? params.grant_type : undefined,
      scopes,
      jti: typeof assertion?.payload.jti === 'string' ? assertion.payload.jti : undefined,
      assertion,
    };
    services.tokenRequests.push(record);
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    if (ctx.status === 200 && typeof body.access_token === 'string') {
      const allowed = allowedScopes(clientId ?? '') ?? [];
      const bad = scopes.filter((scope) => !allowed.includes(scope));
      if (scopes.length === 0 || bad.length > 0) {
        await services.destroyIssued(body.access_token);
        ctx.status = 400;
        ctx.body = {
          error: 'invalid_scope',
          error_description: scopes.length
            ? `scope not allowed: ${bad.join(' ')}`
            : 'scope is required',
        };
        record.status = 400;
        record.error = 'invalid_scope';
        return;
      }
      services.noteIssued(body.access_token);
      record.accessToken = body.access_token;
      record.grantedScopes = typeof body.scope === 'string' ? body.scope.split(' ') : [];
      record.expiresIn = typeof body.expires_in === 'number' ? body.expires_in : undefined;
      return;
    }
    const error = (ctx.state as TokenErrorHolder).ltiTokenError;
    record.error = typeof body.error === 'string' ? body.error : undefined;
    record.errorDetail =
      typeof error?.error_detail === 'string'
        ? error.error_detail
        : typeof body.error_description === 'string'
          ? body.error_description
          : undefined;
  };
}
