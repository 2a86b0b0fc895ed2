import { randomBytes } from 'node:crypto';
import http from 'node:http';
import {
  clientCredentials,
  close,
  listen,
  readParams,
  redirect,
  sendJson,
} from './provider-http.js';

/**
 * A Naver Login shaped OAuth 2.0 server (developers.naver.com, "네이버 로그인 API"): the paths of
 * nid.naver.com and openapi.naver.com on one local server. Naver has no PKCE and no OpenID
 * Connect here: a `code_challenge` is ignored, as Naver ignores it.
 *
 * - `GET|POST /oauth2.0/authorize` (response_type=code, client_id, redirect_uri, state): 302 to
 *   redirect_uri with `code` and `state`, or `state`, `error=access_denied` and
 *   `error_description=Canceled By User` when the next user cancels. An unknown client_id or an
 *   unregistered redirect_uri is answered on the page (400), never redirected.
 * - `GET|POST /oauth2.0/token` (grant_type=authorization_code, client_id, client_secret, code,
 *   state; in the query string as Naver's samples do, or as a form): `{ access_token,
 *   refresh_token, token_type: 'bearer', expires_in: '3600' }` — expires_in is a string, as
 *   Naver answers it. Errors are HTTP 200 with `{ error, error_description }` (Naver's token
 *   endpoint answers its errors with 200): a wrong secret is `invalid_client`; an unknown or used
 *   code, or a state other than the authorize one, `invalid_request` ("no valid data in
 *   session"). A code is single use and bound to its client; Naver's docs list `state` as a
 *   token parameter, but clients such as passport-oauth2 omit it and Naver accepts that, so a
 *   missing state is accepted and a different one refused (`tokenRequests[].state` shows which).
 * - `GET /v1/nid/me` with `Authorization: Bearer <access_token>`: `{ resultcode: '00', message:
 *   'success', response: { id, nickname, name, email, gender, age, birthday, birthyear, mobile,
 *   profile_image } }` (only the fields the user has). Without the header: 401 `{ resultcode:
 *   '028', message: 'Authentication header not exists.' }`; an unknown token: 401 `{ resultcode:
 *   '024', message: 'Authentication failed / 인증에 실패했습니다.' }`. Naver also documents 403
 *   (no API permission), 404 (no such API) and 500 (server error): `failProfile` answers those.
 *
 * Checked against Naver's API guide and posts: the paths, parameters, the failed-authorize
 * redirect (`state`, `error`, `error_description`), the token fields and string expires_in, the
 * profile shape and resultcodes 024/028/403/404/500. Not verified: the exact error_description
 * texts of token errors (HTTP 200 with `error` is from the NOTES' run against passport-naver-v2).
 *
 * Tests pick the next user (`nextUser`), make the next token or profile call fail (`failToken`,
 * `failProfile`), and read what the client sent (`tokenRequests`, `profileRequests`).
 */
export interface NaverServerOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Registered callback URLs; when empty, any redirect_uri is accepted. */
  redirectUris?: string[];
}

export interface NaverUser {
  /** Naver's app-scoped identifier, a string of up to 64 characters. */
  id: string;
  name: string;
  nickname?: string;
  email?: string;
  profileImage?: string;
  gender?: 'F' | 'M' | 'U';
  mobile?: string;
  /** The user presses "Cancel" (취소) on Naver's consent page. */
  cancel?: true;
}

export interface NaverTokenRequest {
  method: string;
  /** Where the parameters came: Naver's samples put them in the query string. */
  inQuery: boolean;
  grantType: string | null;
  clientId?: string;
  clientSecretPresent: boolean;
  clientSecretCorrect: boolean;
  code: string | null;
  state: string | null;
  codeVerifier: string | null;
  answer?: Record<string, unknown>;
}

export interface NaverProfileRequest {
  method: string;
  url: string;
  authorization?: string;
  status: number;
}

interface IssuedCode {
  user: NaverUser;
  clientId: string;
  redirectUri: string;
  state: string | null;
}

export const NAVER_AUTH_FAILED = {
  resultcode: '024',
  message: 'Authentication failed / 인증에 실패했습니다.',
} as const;

export class NaverOAuthServer {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly tokenRequests: NaverTokenRequest[] = [];
  readonly profileRequests: NaverProfileRequest[] = [];
  private readonly server = http.createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => {
      sendJson(response, 500, { resultcode: '500', message: String(error) });
    });
  });
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, NaverUser>();
  private user: NaverUser = { id: 'nobody', name: 'nobody' };
  private tokenFailure?: Record<string, unknown>;
  private profileFailure?: { status: number; body: unknown };
  private port = 0;

  constructor(private readonly options: NaverServerOptions = {}) {
    this.clientId = options.clientId ?? 'naverTestClientId';
    this.clientSecret = options.clientSecret ?? randomBytes(8).toString('base64url');
  }

  async start(): Promise<void> {
    this.port = await listen(this.server, this.options.port ?? 0);
  }

  async stop(): Promise<void> {
    await close(this.server);
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get authorizationUrl(): string {
    return `${this.origin}/oauth2.0/authorize`;
  }
  get tokenUrl(): string {
    return `${this.origin}/oauth2.0/token`;
  }
  get profileUrl(): string {
    return `${this.origin}/v1/nid/me`;
  }

  /** The app's NAVER_* variables pointing at this server. */
  env(callbackUrl: string): Record<string, string> {
    return {
      NAVER_CLIENT_ID: this.clientId,
      NAVER_CLIENT_SECRET: this.clientSecret,
      NAVER_CALLBACK_URL: callbackUrl,
      NAVER_AUTHORIZATION_URL: this.authorizationUrl,
      NAVER_TOKEN_URL: this.tokenUrl,
      NAVER_PROFILE_URL: this.profileUrl,
    };
  }

  nextUser(user: NaverUser): void {
    this.user = user;
  }

  /** The next token call answers HTTP 200 with this error body, once (Naver's error shape). */
  failToken(error: string, description: string): void {
    this.tokenFailure = { error, error_description: description };
  }

  /** The next profile call answers `{ resultcode, message }` with `httpStatus`, once. */
  failProfile(resultcode: string, message: string, httpStatus: number): void {
    this.profileFailure = { status: httpStatus, body: { resultcode, message } };
  }

  private async handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    const post = request.method === 'POST';
    if (request.method !== 'GET' && !post) {
      return sendJson(response, 405, { resultcode: '405', message: 'Method Not Allowed' });
    }
    switch (url.pathname) {
      case '/oauth2.0/authorize':
        return this.authorize(await readParams(request, url), response);
      case '/oauth2.0/token':
        return this.token(request, url, response);
      case '/v1/nid/me':
        return this.profile(request, url, response);
      default:
        return sendJson(response, 404, { resultcode: '404', message: 'Not Found' });
    }
  }

  private authorize(q: URLSearchParams, response: http.ServerResponse): void {
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri');
    const state = q.get('state');
    if (clientId !== this.clientId) {
      return sendJson(response, 400, {
        error: 'invalid_client',
        error_description: 'unknown client_id',
      });
    }
    const registered = this.options.redirectUris ?? [];
    if (!redirectUri || (registered.length > 0 && !registered.includes(redirectUri))) {
      return sendJson(response, 400, {
        error: 'invalid_request',
        error_description: 'redirect_uri mismatch',
      });
    }
    const back = new URL(redirectUri);
    if (q.get('response_type') !== 'code') {
      if (state !== null) back.searchParams.set('state', state);
      back.searchParams.set('error', 'unsupported_response_type');
      back.searchParams.set('error_description', 'unsupported response_type');
    } else if (this.user.cancel) {
      if (state !== null) back.searchParams.set('state', state);
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'Canceled By User');
    } else {
      const code = randomBytes(12).toString('base64url');
      this.codes.set(code, { user: this.user, clientId, redirectUri, state });
      back.searchParams.set('code', code);
      if (state !== null) back.searchParams.set('state', state);
    }
    redirect(response, back);
  }

  private async token(
    request: http.IncomingMessage,
    url: URL,
    response: http.ServerResponse,
  ): Promise<void> {
    const params = await readParams(request, url);
    const credentials = clientCredentials(request, params);
    const seen: NaverTokenRequest = {
      method: request.method ?? 'GET',
      inQuery: url.searchParams.has('code') || url.searchParams.has('client_secret'),
      grantType: params.get('grant_type'),
      clientId: credentials.clientId,
      clientSecretPresent: credentials.clientSecret !== undefined,
      clientSecretCorrect: credentials.clientSecret === this.clientSecret,
      code: params.get('code'),
      state: params.get('state'),
      codeVerifier: params.get('code_verifier'),
    };
    this.tokenRequests.push(seen);
    // Naver answers token errors with HTTP 200 and an `error` field.
    const answer = (body: Record<string, unknown>): void => {
      seen.answer = body;
      sendJson(response, 200, body);
    };
    if (this.tokenFailure) {
      const failure = this.tokenFailure;
      this.tokenFailure = undefined;
      return answer(failure);
    }
    if (seen.grantType !== 'authorization_code') {
      return answer({
        error: 'unsupported_grant_type',
        error_description: 'unsupported grant_type',
      });
    }
    if (seen.clientId !== this.clientId || !seen.clientSecretCorrect) {
      return answer({ error: 'invalid_client', error_description: 'client authentication failed' });
    }
    const issued = seen.code ? this.codes.get(seen.code) : undefined;
    if (seen.code) {
      this.codes.delete(seen.code);
    }
    if (
      !issued ||
      issued.clientId !== seen.clientId ||
      (seen.state !== null && issued.state !== seen.state)
    ) {
      return answer({ error: 'invalid_request', error_description: 'no valid data in session' });
    }
    const accessToken = `AAAA${randomBytes(48).toString('base64url')}`;
    this.tokens.set(accessToken, issued.user);
    answer({
      access_token: accessToken,
      refresh_token: randomBytes(48).toString('base64url'),
      token_type: 'bearer',
      expires_in: '3600',
    });
  }

  private profile(request: http.IncomingMessage, url: URL, response: http.ServerResponse): void {
    const authorization = request.headers.authorization;
    const seen: NaverProfileRequest = {
      method: request.method ?? 'GET',
      url: url.pathname + url.search,
      authorization,
      status: 0,
    };
    this.profileRequests.push(seen);
    const answer = (status: number, body: unknown): void => {
      seen.status = status;
      sendJson(response, status, body);
    };
    if (this.profileFailure) {
      const failure = this.profileFailure;
      this.profileFailure = undefined;
      return answer(failure.status, failure.body);
    }
    if (!authorization) {
      return answer(401, { resultcode: '028', message: 'Authentication header not exists.' });
    }
    const match = /^Bearer (\S+)$/i.exec(authorization);
    const user = match ? this.tokens.get(match[1]) : undefined;
    if (!user) {
      return answer(401, { ...NAVER_AUTH_FAILED });
    }
    answer(200, { resultcode: '00', message: 'success', response: naverProfile(user) });
  }
}

/** The `response` object of Naver's /v1/nid/me for `user` (absent fields are left out). */
export function naverProfile(user: NaverUser): Record<string, string> {
  const profile: Record<string, string> = { id: user.id, name: user.name };
  if (user.nickname !== undefined) profile.nickname = user.nickname;
  if (user.email !== undefined) profile.email = user.email;
  if (user.profileImage !== undefined) profile.profile_image = user.profileImage;
  if (user.gender !== undefined) profile.gender = user.gender;
  if (user.mobile !== undefined) profile.mobile = user.mobile;
  return profile;
}

/** A random identifier shaped like Naver's (43 URL-safe characters). */
export function naverUserId(): string {
  return randomBytes(32).toString('base64url').slice(0, 43);
}
