import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { requestJson } from '../support/http.js';
import { MicrosoftOidcProvider } from '../support/microsoft-oidc-provider.js';
import { RedirectBrowser } from '../support/redirect-browser.js';
import { NaverOAuthServer, NAVER_AUTH_FAILED, naverUserId } from '../support/naver-oauth-server.js';
import { kakaoUserId, KakaoOAuthServer, KAKAO_ISSUER } from '../support/kakao-oauth-server.js';

const REDIRECT = 'http://app.test/api/v1/auth/kakao/callback';

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function authorize(url: string, params: Record<string, string>): Promise<URL> {
  const target = new URL(url);
  for (const [key, value] of Object.entries(params)) {
    target.searchParams.set(key, value);
  }
  const response = await fetch(target, { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location') ?? '');
}

function form(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
    body: new URLSearchParams(fields).toString(),
  };
}

describe('Kakao Login shaped server', () => {
  let kakao: KakaoOAuthServer;

  beforeAll(async () => {
    kakao = new KakaoOAuthServer({ openIdConnect: true, redirectUris: [REDIRECT] });
    await kakao.start();
  });

  afterAll(async () => {
    await kakao.stop();
  });

  async function codeFor(extra: Record<string, string> = {}): Promise<URL> {
    return authorize(kakao.authorizationUrl, {
      client_id: kakao.clientId,
      redirect_uri: REDIRECT,
      response_type: 'code',
      state: 'state-1',
      ...extra,
    });
  }

  it('should sign a user in: code, token with a verifiable id_token, profile', async () => {
    const id = kakaoUserId();
    kakao.nextUser({ id, nickname: '김민준', email: 'minjun@kakao.test' });
    const { verifier, challenge } = pkce();
    const back = await codeFor({
      scope: 'openid profile_nickname account_email',
      nonce: 'nonce-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('state-1');
    const code = back.searchParams.get('code') ?? '';
    expect(code.length).toBeGreaterThan(20);

    const token = await requestJson(
      kakao.tokenUrl,
      form({
        grant_type: 'authorization_code',
        client_id: kakao.clientId,
        client_secret: kakao.clientSecret,
        redirect_uri: REDIRECT,
        code,
        code_verifier: verifier,
      }),
    );
    expect(token.status).toBe(200);
    expect(token.body).toEqual({
      token_type: 'bearer',
      access_token: expect.any(String),
      expires_in: 21599,
      refresh_token: expect.any(String),
      refresh_token_expires_in: 5183999,
      scope: 'openid profile_nickname account_email',
      id_token: expect.any(String),
    });
    const { payload, protectedHeader } = await jwtVerify(
      String(token.body.id_token),
      createRemoteJWKSet(new URL(kakao.jwksUrl)),
      { issuer: KAKAO_ISSUER, audience: kakao.clientId },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      sub: String(id),
      nonce: 'nonce-1',
      email: 'minjun@kakao.test',
      nickname: '김민준',
    });
    expect(typeof payload.auth_time).toBe('number');
    expect(kakao.tokenRequests.at(-1)).toMatchObject({
      clientSecretPresent: true,
      codeVerifier: verifier,
      status: 200,
    });

    const profile = await requestJson(kakao.profileUrl, {
      headers: { authorization: `Bearer ${String(token.body.access_token)}` },
    });
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      id,
      kakao_account: {
        profile: { nickname: '김민준' },
        has_email: true,
        email_needs_agreement: false,
        is_email_valid: true,
        is_email_verified: true,
        email: 'minjun@kakao.test',
      },
    });
    expect(typeof profile.body.id).toBe('number');
    expect(kakao.profileRequests.at(-1)?.authorization).toBe(
      `Bearer ${String(token.body.access_token)}`,
    );
  });

  it('should answer an unverified email as Kakao does, and no id_token without openid', async () => {
    const id = kakaoUserId();
    kakao.nextUser({ id, nickname: 'Jiwoo', email: 'jiwoo@kakao.test', isEmailVerified: false });
    const back = await codeFor({ scope: 'profile_nickname account_email' });
    const token = await requestJson(
      kakao.tokenUrl,
      form({
        grant_type: 'authorization_code',
        client_id: kakao.clientId,
        client_secret: kakao.clientSecret,
        redirect_uri: REDIRECT,
        code: back.searchParams.get('code') ?? '',
      }),
    );
    expect(token.status).toBe(200);
    expect(token.body.id_token).toBeUndefined();
    const profile = await requestJson<{ kakao_account: Record<string, unknown> }>(
      kakao.profileUrl,
      {
        headers: { authorization: `Bearer ${String(token.body.access_token)}` },
      },
    );
    expect(profile.body.kakao_account).toMatchObject({
      email: 'jiwoo@kakao.test',
      is_email_valid: true,
      is_email_verified: false,
    });
  });

  it('should redirect a cancel with access_denied and the state', async () => {
    kakao.nextUser({ id: kakaoUserId(), nickname: 'x', cancel: true });
    const back = await codeFor();
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toBe('User denied access');
    expect(back.searchParams.get('state')).toBe('state-1');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('should refuse a wrong secret, a replayed code, a PKCE mismatch and a redirect mismatch', async () => {
    kakao.nextUser({ id: kakaoUserId(), nickname: 'Replay' });
    const exchange = (fields: Record<string, string>) =>
      requestJson(
        kakao.tokenUrl,
        form({
          grant_type: 'authorization_code',
          client_id: kakao.clientId,
          client_secret: kakao.clientSecret,
          redirect_uri: REDIRECT,
          ...fields,
        }),
      );

    const wrongSecret = await exchange({
      code: (await codeFor()).searchParams.get('code') ?? '',
      client_secret: 'wrong',
    });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toEqual({
      error: 'invalid_client',
      error_description: 'Bad client credentials',
      error_code: 'KOE010',
    });

    const code = (await codeFor()).searchParams.get('code') ?? '';
    expect((await exchange({ code })).status).toBe(200);
    const replay = await exchange({ code });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: 'invalid_grant', error_code: 'KOE320' });

    const { challenge } = pkce();
    const pkceCode =
      (
        await codeFor({ code_challenge: challenge, code_challenge_method: 'S256' })
      ).searchParams.get('code') ?? '';
    const mismatch = await exchange({ code: pkceCode, code_verifier: pkce().verifier });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toMatchObject({ error: 'invalid_grant', error_code: 'KOE422' });

    const movedCode = (await codeFor()).searchParams.get('code') ?? '';
    const moved = await exchange({ code: movedCode, redirect_uri: 'http://app.test/elsewhere' });
    expect(moved.body).toMatchObject({ error: 'invalid_grant', error_code: 'KOE303' });
  });

  it('should refuse a bad access token and fail a call when told', async () => {
    const bad = await requestJson(kakao.profileUrl, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ msg: 'this access token does not exist', code: -401 });

    kakao.failNext('profile', 500, { msg: 'internal error', code: -1 });
    const failed = await requestJson(kakao.profileUrl, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ msg: 'internal error', code: -1 });

    kakao.failNext('token', 400, { error: 'invalid_grant', error_code: 'KOE320' });
    const token = await requestJson(kakao.tokenUrl, form({ grant_type: 'authorization_code' }));
    expect(token.status).toBe(400);
    expect(token.body).toEqual({ error: 'invalid_grant', error_code: 'KOE320' });
  });

  it('should serve its own origin as issuer when asked', async () => {
    const self = new KakaoOAuthServer({ openIdConnect: true, issuer: 'self' });
    await self.start();
    try {
      self.nextUser({ id: 7, nickname: 'Self' });
      const back = await authorize(self.authorizationUrl, {
        client_id: self.clientId,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'openid',
      });
      const token = await requestJson(
        self.tokenUrl,
        form({
          grant_type: 'authorization_code',
          client_id: self.clientId,
          client_secret: self.clientSecret,
          redirect_uri: REDIRECT,
          code: back.searchParams.get('code') ?? '',
        }),
      );
      expect(decodeJwt(String(token.body.id_token))).toMatchObject({ iss: self.origin, sub: '7' });
    } finally {
      await self.stop();
    }
  });
});

describe('Naver Login shaped server', () => {
  const callback = 'http://app.test/api/v1/auth/naver/callback';
  let naver: NaverOAuthServer;

  beforeAll(async () => {
    naver = new NaverOAuthServer({ redirectUris: [callback] });
    await naver.start();
  });

  afterAll(async () => {
    await naver.stop();
  });

  const codeFor = (state = 'naver-state') =>
    authorize(naver.authorizationUrl, {
      response_type: 'code',
      client_id: naver.clientId,
      redirect_uri: callback,
      state,
    });

  function tokenUrl(fields: Record<string, string>): string {
    const url = new URL(naver.tokenUrl);
    url.search = new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: naver.clientId,
      client_secret: naver.clientSecret,
      state: 'naver-state',
      ...fields,
    }).toString();
    return url.toString();
  }

  it('should sign a user in: code in the query, token with a string expires_in, profile', async () => {
    const id = naverUserId();
    naver.nextUser({ id, name: '이서연', nickname: 'seoyeon', email: 'seoyeon@naver.test' });
    const back = await codeFor();
    expect(`${back.origin}${back.pathname}`).toBe(callback);
    expect(back.searchParams.get('state')).toBe('naver-state');
    const code = back.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const token = await requestJson(tokenUrl({ code }));
    expect(token.status).toBe(200);
    expect(token.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'bearer',
      expires_in: '3600',
    });
    expect(naver.tokenRequests.at(-1)).toMatchObject({ inQuery: true, clientSecretPresent: true });

    const profile = await requestJson(naver.profileUrl, {
      headers: { authorization: `Bearer ${String(token.body.access_token)}` },
    });
    expect(profile.status).toBe(200);
    expect(profile.body).toEqual({
      resultcode: '00',
      message: 'success',
      response: { id, name: '이서연', nickname: 'seoyeon', email: 'seoyeon@naver.test' },
    });
    expect(naver.profileRequests.at(-1)?.authorization).toBe(
      `Bearer ${String(token.body.access_token)}`,
    );
  });

  it('should take the token call as a form POST too', async () => {
    naver.nextUser({ id: naverUserId(), name: 'Form' });
    const code = (await codeFor()).searchParams.get('code') ?? '';
    const token = await requestJson(
      naver.tokenUrl,
      form({
        grant_type: 'authorization_code',
        client_id: naver.clientId,
        client_secret: naver.clientSecret,
        code,
        state: 'naver-state',
      }),
    );
    expect(token.body.token_type).toBe('bearer');
    expect(naver.tokenRequests.at(-1)).toMatchObject({ method: 'POST', inQuery: false });
  });

  it('should redirect a cancel with Canceled By User', async () => {
    naver.nextUser({ id: naverUserId(), name: 'x', cancel: true });
    const back = await codeFor('cancel-state');
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('error_description')).toBe('Canceled By User');
    expect(back.searchParams.get('state')).toBe('cancel-state');
    expect(back.toString()).toContain('error_description=Canceled+By+User');
  });

  it('should answer token errors with HTTP 200: wrong secret, replayed code, other state', async () => {
    naver.nextUser({ id: naverUserId(), name: 'Replay' });
    const wrong = await requestJson(
      tokenUrl({ code: (await codeFor()).searchParams.get('code') ?? '', client_secret: 'bad' }),
    );
    expect(wrong.status).toBe(200);
    expect(wrong.body).toEqual({
      error: 'invalid_client',
      error_description: 'client authentication failed',
    });

    const code = (await codeFor()).searchParams.get('code') ?? '';
    expect((await requestJson(tokenUrl({ code }))).body.access_token).toEqual(expect.any(String));
    const replay = await requestJson(tokenUrl({ code }));
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({
      error: 'invalid_request',
      error_description: 'no valid data in session',
    });

    const other = await requestJson(
      tokenUrl({ code: (await codeFor()).searchParams.get('code') ?? '', state: 'forged' }),
    );
    expect(other.body.error).toBe('invalid_request');

    naver.failToken('server_error', 'temporary');
    expect((await requestJson(tokenUrl({ code: 'x' }))).body).toEqual({
      error: 'server_error',
      error_description: 'temporary',
    });
  });

  it('should answer profile failures with a resultcode', async () => {
    const missing = await requestJson(naver.profileUrl);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({
      resultcode: '028',
      message: 'Authentication header not exists.',
    });

    const bad = await requestJson(naver.profileUrl, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ resultcode: '024', message: NAVER_AUTH_FAILED.message });

    naver.nextUser({ id: naverUserId(), name: 'Forbidden' });
    const code = (await codeFor()).searchParams.get('code') ?? '';
    const token = await requestJson(tokenUrl({ code }));
    naver.failProfile('403', 'Forbidden', 403);
    const forbidden = await requestJson(naver.profileUrl, {
      headers: { authorization: `Bearer ${String(token.body.access_token)}` },
    });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ resultcode: '403', message: 'Forbidden' });
    // Once: the same token works on the next call.
    const again = await requestJson(naver.profileUrl, {
      headers: { authorization: `Bearer ${String(token.body.access_token)}` },
    });
    expect(again.body).toMatchObject({ resultcode: '00', response: { name: 'Forbidden' } });
  });
});

describe('Microsoft identity platform v2.0 shaped provider (oidc-provider)', () => {
  const callback = 'http://127.0.0.1:1/api/v1/auth/microsoft/callback';
  const [schoolTid, otherTid] = [randomUUID(), randomUUID()];
  let microsoft: MicrosoftOidcProvider;

  beforeAll(async () => {
    microsoft = new MicrosoftOidcProvider({
      redirectUris: [callback],
      tenants: [schoolTid, otherTid],
    });
    await microsoft.start();
  });

  afterAll(async () => {
    await microsoft.stop();
  });

  async function signIn(
    tenant: string,
    extra: Record<string, string> = {},
  ): Promise<{ back: URL; verifier: string }> {
    const { verifier, challenge } = pkce();
    const start = new URL(microsoft.authorizationUrl(tenant));
    start.search = new URLSearchParams({
      client_id: microsoft.clientId,
      response_type: 'code',
      redirect_uri: callback,
      scope: 'openid profile email',
      state: 'ms-state',
      nonce: 'ms-nonce',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    }).toString();
    const navigation = await new RedirectBrowser('http://127.0.0.1:1').navigate(start.toString());
    return { back: navigation.finalUrl, verifier };
  }

  function redeem(
    code: string,
    verifier: string,
    init: Record<string, string> = {},
    basic = false,
  ) {
    const fields: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback,
      code_verifier: verifier,
      ...(basic ? {} : { client_id: microsoft.clientId, client_secret: microsoft.clientSecret }),
      ...init,
    };
    const request = form(fields);
    if (basic) {
      request.headers = {
        ...(request.headers as Record<string, string>),
        authorization: `Basic ${Buffer.from(`${microsoft.clientId}:${microsoft.clientSecret}`).toString('base64')}`,
      };
    }
    return requestJson(microsoft.tokenUrl('organizations'), request);
  }

  it('should serve organizations discovery with the {tenantid} issuer, and per-tenant issuers', async () => {
    const organizations = await requestJson(microsoft.discoveryUrl('organizations'));
    expect(organizations.status).toBe(200);
    expect(organizations.body).toMatchObject({
      issuer: `${microsoft.authorityUrl}/{tenantid}/v2.0`,
      authorization_endpoint: `${microsoft.authorityUrl}/organizations/oauth2/v2.0/authorize`,
      token_endpoint: `${microsoft.authorityUrl}/organizations/oauth2/v2.0/token`,
      jwks_uri: `${microsoft.authorityUrl}/organizations/discovery/v2.0/keys`,
      cloud_instance_name: 'microsoftonline.com',
    });
    expect(organizations.body.authorization_response_iss_parameter_supported).toBeUndefined();
    const school = await requestJson(microsoft.discoveryUrl(schoolTid));
    expect(school.body).toMatchObject({
      issuer: `${microsoft.authorityUrl}/${schoolTid}/v2.0`,
      token_endpoint: `${microsoft.authorityUrl}/${schoolTid}/oauth2/v2.0/token`,
    });
    const unknown = await requestJson(microsoft.discoveryUrl('not-a-tenant'));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });

  it('should sign a user in at organizations with an id_token from their own tenant', async () => {
    const oid = randomUUID();
    microsoft.nextUser({
      tid: otherTid,
      oid,
      email: 'jin@school.test',
      preferredUsername: 'jin@school.test',
      name: 'Jin Choi',
    });
    const { back, verifier } = await signIn('organizations');
    expect(`${back.origin}${back.pathname}`).toBe(callback);
    expect(back.searchParams.get('state')).toBe('ms-state');
    expect(back.searchParams.has('iss')).toBe(false);
    const code = back.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const token = await redeem(code, verifier);
    expect(token.status).toBe(200);
    expect(token.body.token_type).toBe('Bearer');
    const discovery = await requestJson(microsoft.discoveryUrl('organizations'));
    const { payload, protectedHeader } = await jwtVerify(
      String(token.body.id_token),
      createRemoteJWKSet(new URL(String(discovery.body.jwks_uri))),
      { issuer: `${microsoft.authorityUrl}/${otherTid}/v2.0`, audience: microsoft.clientId },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      tid: otherTid,
      oid,
      ver: '2.0',
      nonce: 'ms-nonce',
      email: 'jin@school.test',
      preferred_username: 'jin@school.test',
      name: 'Jin Choi',
    });
    expect(payload.sub).toHaveLength(43);
    expect(microsoft.tokenRequests.at(-1)).toMatchObject({
      authMethod: 'post',
      codeVerifier: verifier,
    });

    const replay = await redeem(code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
  });

  it('should take client_secret_basic, leave email out when the user has none, and sign in at a tenant', async () => {
    microsoft.nextUser({
      tid: schoolTid,
      oid: randomUUID(),
      sub: 'fixed-sub',
      preferredUsername: 'pupil@school.test',
      name: 'Pupil',
    });
    const { back, verifier } = await signIn(schoolTid);
    const token = await requestJson(microsoft.tokenUrl(schoolTid), {
      ...form({
        grant_type: 'authorization_code',
        code: back.searchParams.get('code') ?? '',
        redirect_uri: callback,
        code_verifier: verifier,
      }),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${microsoft.clientId}:${microsoft.clientSecret}`).toString('base64')}`,
      },
    });
    expect(token.status).toBe(200);
    const claims = decodeJwt(String(token.body.id_token));
    expect(claims).toMatchObject({
      iss: `${microsoft.authorityUrl}/${schoolTid}/v2.0`,
      sub: 'fixed-sub',
      tid: schoolTid,
    });
    expect(claims.email).toBeUndefined();
    expect(microsoft.tokenRequests.at(-1)?.authMethod).toBe('basic');
  });

  it('should refuse a wrong secret and a PKCE mismatch', async () => {
    microsoft.nextUser({
      tid: schoolTid,
      oid: randomUUID(),
      preferredUsername: 'a@school.test',
      name: 'A',
    });
    const first = await signIn('organizations');
    const wrong = await redeem(first.back.searchParams.get('code') ?? '', first.verifier, {
      client_secret: 'wrong',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('invalid_client');
    const second = await signIn('organizations');
    const mismatch = await redeem(second.back.searchParams.get('code') ?? '', pkce().verifier);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error).toBe('invalid_grant');
    const third = await signIn('organizations');
    expect(
      (await redeem(third.back.searchParams.get('code') ?? '', third.verifier, {}, true)).status,
    ).toBe(200);
  });

  it('should answer a refusal with AADSTS65004 and a foreign tenant with AADSTS50020', async () => {
    microsoft.nextUser({
      tid: schoolTid,
      oid: randomUUID(),
      preferredUsername: 'no@school.test',
      name: 'No',
      cancel: true,
    });
    const cancelled = (await signIn('organizations')).back;
    expect(`${cancelled.origin}${cancelled.pathname}`).toBe(callback);
    expect(cancelled.searchParams.get('error')).toBe('access_denied');
    expect(cancelled.searchParams.get('error_description')).toMatch(/^AADSTS65004/);
    expect(cancelled.searchParams.get('state')).toBe('ms-state');

    microsoft.nextUser({
      tid: otherTid,
      oid: randomUUID(),
      preferredUsername: 'x@other.test',
      name: 'X',
    });
    const foreign = (await signIn(schoolTid)).back;
    expect(foreign.searchParams.get('error')).toBe('access_denied');
    expect(foreign.searchParams.get('error_description')).toMatch(/^AADSTS50020/);
  });
});
