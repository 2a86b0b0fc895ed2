import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  randomInt,
  type KeyObject,
} from 'node:crypto';
import http from 'node:http';
import { exportJWK, SignJWT, type JWK } from 'jose';
import {
  clientCredentials,
  close,
  listen,
  readParams,
  redirect,
  sendJson,
} from './provider-http.js';

/**
 * A Kakao Login shaped OAuth 2.0 server (developers.kakao.com, REST API "Kakao Login"), strict
 * like Kakao: kauth.kakao.com's and kapi.kakao.com's paths on one local server.
 *
 * - `GET /oauth/authorize` (client_id, redirect_uri, response_type=code, state, scope, optional
 *   nonce, code_challenge + code_challenge_method=S256): 302 to redirect_uri with `code` and
 *   `state`, or `error=access_denied&error_description=User denied access` when the next user
 *   cancels. An unknown client_id or an unregistered redirect_uri is answered on the page (400,
 *   KOE101 / KOE006), never redirected, as Kakao does.
 * - `POST /oauth/token` (form: grant_type=authorization_code, client_id, client_secret,
 *   redirect_uri, code, code_verifier): `{ token_type: 'bearer', access_token, expires_in,
 *   refresh_token, refresh_token_expires_in, scope, id_token? }`; the id_token (RS256; iss, aud =
 *   client_id, sub = user id, iat, exp, auth_time, nonce, nickname, picture, email) only when
 *   `openIdConnect` is on and `openid` was in the scope. Errors: `{ error, error_description,
 *   error_code: 'KOE...' }`; a wrong or missing client_secret is 401 invalid_client (KOE010); an
 *   unknown, used or expired code 400 invalid_grant (KOE320); a redirect_uri other than the
 *   authorize one 400 invalid_grant (KOE303); a PKCE mismatch 400 invalid_grant (KOE422).
 *   A code is single use and bound to its client, redirect_uri and code_challenge.
 * - `GET /.well-known/jwks.json` (Kakao's JWKS) and `/.well-known/openid-configuration`.
 * - `GET|POST /v2/user/me` with `Authorization: Bearer <access_token>`: `{ id: <number>,
 *   connected_at, properties: { nickname, ... }, kakao_account: { profile_needs_agreement, profile:
 *   { nickname, thumbnail_image_url, profile_image_url, is_default_image }, has_email,
 *   email_needs_agreement, is_email_valid, is_email_verified, email } }` (email fields only when
 *   the user has an email and `account_email` was in the scope); a missing or unknown token is 401
 *   `{ msg: 'this access token does not exist', code: -401 }`.
 *
 * Checked against Kakao's docs and posts: the paths, the token fields, KOE006/KOE101 on the
 * authorize page, the KOE320 message, `access_denied` on cancel, the -401 profile answer. Not
 * verified: the exact KOE code and text for a PKCE mismatch (KOE422 here), KOE303's text, and
 * the cancel's `error_description` wording.
 *
 * Tests pick the next user (`nextUser`), make the next token or profile call fail (`failNext`),
 * and read what the client sent (`tokenRequests`, `profileRequests`, `authorizeRequests`).
 */
export interface KakaoServerOptions {
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Registered redirect URIs; when empty, any redirect_uri is accepted (and still bound to its code). */
  redirectUris?: string[];
  /** Kakao's "OpenID Connect activation": an id_token in the token answer when `openid` is asked. */
  openIdConnect?: boolean;
  /** The id_token's iss: 'kakao' for https://kauth.kakao.com (default), 'self' for this server's origin, or a URL. */
  issuer?: string;
  /** Seconds. */
  codeTtl?: number;
  accessTokenTtl?: number;
}

export interface KakaoUser {
  id: number;
  nickname: string;
  email?: string;
  isEmailValid?: boolean;
  isEmailVerified?: boolean;
  profileImageUrl?: string;
  /** The user presses "Cancel" on Kakao's consent screen. */
  cancel?: true;
}

export interface KakaoAuthorizeRequest {
  clientId: string | null;
  redirectUri: string | null;
  responseType: string | null;
  state: string | null;
  scope: string | null;
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

export interface KakaoTokenRequest {
  grantType: string | null;
  clientId?: string;
  clientSecretPresent: boolean;
  clientSecretCorrect: boolean;
  authMethod: 'basic' | 'post' | 'none';
  redirectUri: string | null;
  code: string | null;
  codeVerifier: string | null;
  contentType?: string;
  status: number;
}

export interface KakaoProfileRequest {
  method: string;
  url: string;
  authorization?: string;
  status: number;
}

interface IssuedCode {
  user: KakaoUser;
  clientId: string;
  redirectUri: string;
  scope: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  expiresAt: number;
  authTime: number;
}

interface IssuedToken {
  user: KakaoUser;
  scope: string[];
  expiresAt: number;
}

export const KAKAO_ISSUER = 'https://kauth.kakao.com';

export class KakaoOAuthServer {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly authorizeRequests: KakaoAuthorizeRequest[] = [];
  readonly tokenRequests: KakaoTokenRequest[] = [];
  readonly profileRequests: KakaoProfileRequest[] = [];
  private readonly server = http.createServer((request, response) => {
    this.handle(request, response).catch((error: unknown) => {
      sendJson(response, 500, { error: 'server_error', error_description: String(error) });
    });
  });
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly key: KeyObject;
  private readonly kid = randomBytes(8).toString('hex');
  private user: KakaoUser = { id: 1, nickname: 'nobody' };
  private failures: Partial<Record<'token' | 'profile', { status: number; body: unknown }>> = {};
  private port = 0;

  constructor(private readonly options: KakaoServerOptions = {}) {
    this.clientId = options.clientId ?? 'kakao-test-rest-api-key';
    this.clientSecret = options.clientSecret ?? randomBytes(16).toString('hex');
    this.key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
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
    return `${this.origin}/oauth/authorize`;
  }
  get tokenUrl(): string {
    return `${this.origin}/oauth/token`;
  }
  get profileUrl(): string {
    return `${this.origin}/v2/user/me`;
  }
  get jwksUrl(): string {
    return `${this.origin}/.well-known/jwks.json`;
  }
  /** The iss of the id_tokens this server signs. */
  get issuer(): string {
    const issuer = this.options.issuer ?? 'kakao';
    return issuer === 'kakao' ? KAKAO_ISSUER : issuer === 'self' ? this.origin : issuer;
  }

  /** The app's KAKAO_* variables pointing at this server. */
  env(callbackUrl: string): Record<string, string> {
    return {
      KAKAO_CLIENT_ID: this.clientId,
      KAKAO_CLIENT_SECRET: this.clientSecret,
      KAKAO_CALLBACK_URL: callbackUrl,
      KAKAO_AUTHORIZATION_URL: this.authorizationUrl,
      KAKAO_TOKEN_URL: this.tokenUrl,
      KAKAO_PROFILE_URL: this.profileUrl,
      KAKAO_JWKS_URL: this.jwksUrl,
    };
  }

  /** The user who signs in (or cancels) at the next authorize request, and after. */
  nextUser(user: KakaoUser): void {
    this.user = user;
  }

  /** The next token or profile call answers `status` with `body`, once. */
  failNext(call: 'token' | 'profile', status: number, body: unknown): void {
    this.failures[call] = { status, body };
  }

  /** Signs an id_token as this server would, with changes (a test's forged or mismatched token). */
  async signIdToken(claims: Record<string, unknown>, lifetime = 3600): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: this.kid, typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .sign(this.key);
  }

  private async handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', this.origin);
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /oauth/authorize':
        return this.authorize(url, response);
      case 'POST /oauth/token':
        return this.token(request, url, response);
      case 'GET /.well-known/jwks.json':
        return sendJson(response, 200, { keys: [await this.publicJwk()] });
      case 'GET /.well-known/openid-configuration':
        return sendJson(response, 200, this.discovery());
      case 'GET /v2/user/me':
      case 'POST /v2/user/me':
        return this.profile(request, url, response);
      default:
        return sendJson(response, 404, { msg: 'not found', code: -404 });
    }
  }

  private authorize(url: URL, response: http.ServerResponse): void {
    const q = url.searchParams;
    const seen: KakaoAuthorizeRequest = {
      clientId: q.get('client_id'),
      redirectUri: q.get('redirect_uri'),
      responseType: q.get('response_type'),
      state: q.get('state'),
      scope: q.get('scope'),
      nonce: q.get('nonce'),
      codeChallenge: q.get('code_challenge'),
      codeChallengeMethod: q.get('code_challenge_method'),
    };
    this.authorizeRequests.push(seen);
    if (seen.clientId !== this.clientId) {
      return sendJson(response, 400, koe('invalid_client', 'Not exist client_id []', 'KOE101'));
    }
    const registered = this.options.redirectUris ?? [];
    if (!seen.redirectUri || (registered.length > 0 && !registered.includes(seen.redirectUri))) {
      return sendJson(response, 400, koe('invalid_request', 'Invalid redirect_uri', 'KOE006'));
    }
    const back = new URL(seen.redirectUri);
    if (seen.responseType !== 'code') {
      back.searchParams.set('error', 'unsupported_response_type');
      back.searchParams.set('error_description', 'only code is supported');
    } else if (seen.codeChallenge && (seen.codeChallengeMethod ?? 'plain') !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'code_challenge_method must be S256');
    } else if (this.user.cancel) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'User denied access');
    } else {
      const code = randomBytes(32).toString('base64url');
      this.codes.set(code, {
        user: this.user,
        clientId: seen.clientId,
        redirectUri: seen.redirectUri,
        scope: scopes(seen.scope),
        nonce: seen.nonce ?? undefined,
        codeChallenge: seen.codeChallenge ?? undefined,
        codeChallengeMethod: seen.codeChallenge ? 'S256' : undefined,
        expiresAt: Date.now() + (this.options.codeTtl ?? 600) * 1000,
        authTime: Math.floor(Date.now() / 1000),
      });
      back.searchParams.set('code', code);
    }
    if (seen.state !== null) {
      back.searchParams.set('state', seen.state);
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
    const seen: KakaoTokenRequest = {
      grantType: params.get('grant_type'),
      clientId: credentials.clientId,
      clientSecretPresent: credentials.clientSecret !== undefined,
      clientSecretCorrect: credentials.clientSecret === this.clientSecret,
      authMethod: credentials.method,
      redirectUri: params.get('redirect_uri'),
      code: params.get('code'),
      codeVerifier: params.get('code_verifier'),
      contentType: request.headers['content-type'],
      status: 0,
    };
    this.tokenRequests.push(seen);
    const answer = (status: number, body: unknown): void => {
      seen.status = status;
      sendJson(response, status, body);
    };
    const failure = this.failures.token;
    if (failure) {
      delete this.failures.token;
      return answer(failure.status, failure.body);
    }
    if (seen.grantType !== 'authorization_code') {
      return answer(
        400,
        koe('unsupported_grant_type', `grant_type ${seen.grantType} is not supported`, 'KOE310'),
      );
    }
    if (seen.clientId !== this.clientId) {
      return answer(
        401,
        koe('invalid_client', `Not exist client_id [${seen.clientId ?? ''}]`, 'KOE101'),
      );
    }
    if (!seen.clientSecretCorrect) {
      return answer(401, koe('invalid_client', 'Bad client credentials', 'KOE010'));
    }
    const issued = seen.code ? this.codes.get(seen.code) : undefined;
    if (seen.code) {
      // Single use: a code is gone after its first exchange, right or wrong.
      this.codes.delete(seen.code);
    }
    if (!issued || issued.expiresAt < Date.now() || issued.clientId !== seen.clientId) {
      return answer(
        400,
        koe('invalid_grant', `authorization code not found for code=${seen.code ?? ''}`, 'KOE320'),
      );
    }
    if (seen.redirectUri !== issued.redirectUri) {
      return answer(400, koe('invalid_grant', 'Redirect URI mismatch.', 'KOE303'));
    }
    if (issued.codeChallenge) {
      const verifier = seen.codeVerifier ?? '';
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (computed !== issued.codeChallenge) {
        return answer(400, koe('invalid_grant', 'code_verifier is not valid', 'KOE422'));
      }
    }
    const accessToken = randomBytes(32).toString('base64url');
    const expiresIn = this.options.accessTokenTtl ?? 21599;
    this.tokens.set(accessToken, {
      user: issued.user,
      scope: issued.scope,
      expiresAt: Date.now() + expiresIn * 1000,
    });
    const body: Record<string, unknown> = {
      token_type: 'bearer',
      access_token: accessToken,
      expires_in: expiresIn,
      refresh_token: randomBytes(32).toString('base64url'),
      refresh_token_expires_in: 5183999,
      scope: issued.scope.join(' '),
    };
    if (this.options.openIdConnect && issued.scope.includes('openid')) {
      body.id_token = await this.idToken(issued);
    }
    answer(200, body);
  }

  private async idToken(issued: IssuedCode): Promise<string> {
    const { user } = issued;
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: issued.clientId,
      sub: String(user.id),
      auth_time: issued.authTime,
      nickname: user.nickname,
    };
    if (issued.nonce !== undefined) {
      claims.nonce = issued.nonce;
    }
    if (user.profileImageUrl) {
      claims.picture = user.profileImageUrl;
    }
    if (user.email && issued.scope.includes('account_email')) {
      claims.email = user.email;
    }
    return this.signIdToken(claims);
  }

  private profile(request: http.IncomingMessage, url: URL, response: http.ServerResponse): void {
    const authorization = request.headers.authorization;
    const seen: KakaoProfileRequest = {
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
    const failure = this.failures.profile;
    if (failure) {
      delete this.failures.profile;
      return answer(failure.status, failure.body);
    }
    const match = /^Bearer (\S+)$/i.exec(authorization ?? '');
    const token = match ? this.tokens.get(match[1]) : undefined;
    if (!token || token.expiresAt < Date.now()) {
      return answer(401, { msg: 'this access token does not exist', code: -401 });
    }
    answer(200, kakaoProfile(token.user, token.scope));
  }

  private async publicJwk(): Promise<JWK> {
    const jwk = await exportJWK(this.key);
    return { kty: jwk.kty, kid: this.kid, use: 'sig', alg: 'RS256', n: jwk.n, e: jwk.e };
  }

  private discovery(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: this.authorizationUrl,
      token_endpoint: this.tokenUrl,
      userinfo_endpoint: `${this.origin}/v1/oidc/userinfo`,
      jwks_uri: this.jwksUrl,
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      request_uri_parameter_supported: false,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      claims_supported: [
        'iss',
        'aud',
        'sub',
        'auth_time',
        'exp',
        'iat',
        'nonce',
        'nickname',
        'picture',
        'email',
      ],
    };
  }
}

/** Kakao's user API answer for `user` under the agreed `scope`. */
export function kakaoProfile(
  user: KakaoUser,
  scope: string[] = ['profile_nickname', 'account_email'],
): Record<string, unknown> {
  const image = user.profileImageUrl ?? 'http://k.kakaocdn.net/dn/default_profile.jpeg';
  const account: Record<string, unknown> = {
    profile_nickname_needs_agreement: false,
    profile_image_needs_agreement: false,
    profile_needs_agreement: false,
    profile: {
      nickname: user.nickname,
      thumbnail_image_url: image.replace(/\.jpe?g$/, '_110x110.jpg'),
      profile_image_url: image,
      is_default_image: user.profileImageUrl === undefined,
    },
  };
  const hasEmail = user.email !== undefined;
  account.has_email = hasEmail;
  if (hasEmail) {
    const agreed = scope.includes('account_email');
    account.email_needs_agreement = !agreed;
    if (agreed) {
      account.is_email_valid = user.isEmailValid ?? true;
      account.is_email_verified = user.isEmailVerified ?? true;
      account.email = user.email;
    }
  }
  return {
    id: user.id,
    connected_at: new Date(Date.now() - 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    properties: {
      nickname: user.nickname,
      profile_image: image,
      thumbnail_image: image.replace(/\.jpe?g$/, '_110x110.jpg'),
    },
    kakao_account: account,
  };
}

/** A random id in Kakao's range (a positive 64-bit number that fits a JavaScript number). */
export function kakaoUserId(): number {
  return randomInt(1_000_000_000, 281_474_976_710_655);
}

function scopes(scope: string | null): string[] {
  const asked = (scope ?? '').split(/[\s,]+/).filter(Boolean);
  return asked.length > 0 ? asked : ['profile_nickname', 'profile_image', 'account_email'];
}

function koe(error: string, description: string, code: string): Record<string, string> {
  return { error, error_description: description, error_code: code };
}
