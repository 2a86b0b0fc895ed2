import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, login, uniqueEmail } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson, waitFor } from '../support/http.js';
import { KakaoOAuthServer, type KakaoUser } from '../support/kakao-oauth-server.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  fragmentError,
  FRONTEND,
  providerSignIn,
  storedTraces,
} from '../support/provider-sign-in.js';
import { RedirectBrowser } from '../support/redirect-browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('Sign in with Kakao (against a Kakao-shaped OAuth server)', () => {
  const clock = new ManualClock();
  let kakao: KakaoOAuthServer;
  let t: TestApp;
  const flows = providerSignIn(() => t, 'kakao');

  beforeAll(async () => {
    const port = await freePort();
    const callback = `http://127.0.0.1:${port}/api/v1/auth/kakao/callback`;
    kakao = new KakaoOAuthServer({ openIdConnect: true, redirectUris: [callback] });
    await kakao.start();
    t = await startTestApp({
      clock,
      port,
      env: { FRONTEND_URL: FRONTEND, ...kakao.env(callback) },
    });
  });

  afterAll(async () => {
    await t.close();
    await kakao.stop();
  });

  const kakaoUser = (overrides: Partial<KakaoUser> = {}): KakaoUser => {
    const user: KakaoUser = {
      id: randomInt(1_000_000_000, 281_474_976_710_655),
      nickname: '김민지',
      email: uniqueEmail('kakao'),
      isEmailValid: true,
      isEmailVerified: true,
      ...overrides,
    };
    kakao.nextUser(user);
    return user;
  };

  it('should start with PKCE, a nonce, its scopes and a state cookie on its own path', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/auth/kakao`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(kakao.authorizationUrl);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('nonce')?.length).toBeGreaterThanOrEqual(32);
    expect(location.searchParams.get('scope')).toBe(
      'openid profile_nickname profile_image account_email',
    );
    expect(response.headers.get('set-cookie')).toMatch(
      /^ds_oauth_state=[A-Za-z0-9_-]+; Path=\/api\/v1\/auth\/kakao; /,
    );
  });

  it('should list Kakao among the enabled providers', async () => {
    const response = await requestJson<Array<{ id: string; name: string }>>(
      `${t.baseUrl}/api/v1/auth/providers`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toContainEqual({ id: 'kakao', name: 'Kakao' });
    expect(response.body.map((provider) => provider.id)).not.toContain('naver');
  });

  it('should create a verified account for a new Kakao user, then sign them in again', async () => {
    const user = kakaoUser();
    const first = await flows.signIn();
    expect((await flows.identities(first))[0]).toMatchObject({
      provider: 'kakao',
      email: user.email,
    });
    // The id_token was checked against the profile's numeric id, the token sent in a header.
    expect(kakao.profileRequests.at(-1)?.authorization).toMatch(/^Bearer /);
    const [row] = await query<{ email_verified_at: Date | null; full_name: string }>(
      t.databaseUrl,
      `SELECT email_verified_at, full_name FROM users WHERE id = $1`,
      [first.user.id],
    );
    expect(row).toMatchObject({ full_name: '김민지', email_verified_at: expect.any(Date) });
    const [identity] = await query<{ subject: string }>(
      t.databaseUrl,
      `SELECT subject FROM identities WHERE user_id = $1 AND provider = 'kakao'`,
      [first.user.id],
    );
    expect(identity?.subject).toBe(String(user.id));

    kakao.nextUser({ ...user, email: uniqueEmail('renamed') });
    const second = await flows.signIn();
    expect(second.user.id).toBe(first.user.id);
    const history = await query<{ provider: string }>(
      t.databaseUrl,
      `SELECT provider FROM login_history WHERE user_id = $1 AND success`,
      [first.user.id],
    );
    expect(history.map((entry) => entry.provider)).toEqual(['kakao', 'kakao']);
  });

  it('should link an existing account by an email Kakao has verified', async () => {
    const existing = await createUser(t);
    kakaoUser({ email: existing.email });
    const tokens = await flows.signIn();
    expect(tokens.user.id).toBe(existing.id);
    const audit = await waitFor(async () => {
      const rows = await query<{ metadata: Record<string, unknown> }>(
        t.databaseUrl,
        `SELECT metadata FROM audit_logs WHERE action = 'auth.identity_linked' AND actor_id = $1`,
        [existing.id],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(audit[0]?.metadata).toMatchObject({ provider: 'kakao', method: 'verified_email' });
  });

  it.each([
    ['not valid', { isEmailValid: false }],
    ['not verified', { isEmailVerified: false }],
  ])('should not link by an email Kakao says is %s', async (_case, flags) => {
    const existing = await createUser(t);
    kakaoUser({ email: existing.email, ...flags });
    const { landing } = await flows.flow();
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_NOT_VERIFIED');
    expect(landing.searchParams.get('error_description')).toMatch(/then link Kakao/);
    const rows = await query(t.databaseUrl, `SELECT 1 FROM identities WHERE user_id = $1`, [
      existing.id,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('should refuse a Kakao account without an email with AUTH_OAUTH_EMAIL_MISSING', async () => {
    kakaoUser({ email: undefined });
    const { landing } = await flows.flow();
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_MISSING');
  });

  it('should link Kakao to a signed-in user and unlink it; the last method cannot go', async () => {
    const user = await createUser(t);
    const tokens = await login(t, user);
    const { browser, url } = await flows.startLink(tokens, '/me');
    kakaoUser({ email: uniqueEmail('other') });
    const { landing } = await flows.flow({ browser, start: url });
    expect(landing.searchParams.get('linked')).toBe('kakao');
    expect(landing.searchParams.get('redirect')).toBe('/me');
    expect((await flows.identities(tokens)).map((identity) => identity.provider)).toEqual([
      'kakao',
    ]);
    expect((await flows.signIn()).user.id).toBe(user.id);
    expect((await flows.unlink(tokens)).status).toBe(204);
    expect(await flows.identities(tokens)).toEqual([]);

    kakaoUser();
    const kakaoOnly = await flows.signIn();
    const refused = await flows.unlink(kakaoOnly);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error_code: 'AUTH_LAST_SIGN_IN_METHOD' });
  });

  it('should refuse to link a Kakao account that belongs to another user', async () => {
    const owner = kakaoUser();
    await flows.signIn();
    const tokens = await login(t, await createUser(t));
    const { browser, url } = await flows.startLink(tokens);
    kakao.nextUser(owner);
    const { landing } = await flows.flow({ browser, start: url });
    expect(landing.searchParams.get('error')).toBe('AUTH_IDENTITY_IN_USE');
  });

  /** A real access token of the current user, obtained outside the app. */
  async function accessTokenOfCurrentUser(callback: string): Promise<string> {
    const authorize = new URL(kakao.authorizationUrl);
    authorize.search = new URLSearchParams({
      client_id: kakao.clientId,
      redirect_uri: callback,
      response_type: 'code',
      state: 'outside',
    }).toString();
    const back = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = await fetch(kakao.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: kakao.clientId,
        client_secret: kakao.clientSecret,
        redirect_uri: callback,
        code,
      }),
    });
    return ((await token.json()) as { access_token: string }).access_token;
  }

  it.each([
    ['whose sub is not the profile id', { sub: 'someone-else' }],
    ['for another client', { aud: 'another-app' }],
    ['without the nonce', { nonce: undefined }],
  ])('should refuse an id_token %s with AUTH_OAUTH_ID_TOKEN_INVALID', async (_case, change) => {
    const user = kakaoUser();
    const browser = new RedirectBrowser(FRONTEND);
    const start = await browser.fetch(`${t.baseUrl}/api/v1/auth/kakao`);
    const authorizeUrl = new URL(start.headers.get('location') ?? '');
    const callbackBase = authorizeUrl.searchParams.get('redirect_uri') ?? '';
    const accessToken = await accessTokenOfCurrentUser(callbackBase);
    const claims: Record<string, unknown> = {
      iss: kakao.issuer,
      aud: kakao.clientId,
      sub: String(user.id),
      nonce: authorizeUrl.searchParams.get('nonce'),
      ...change,
    };
    kakao.failNext('token', 200, {
      token_type: 'bearer',
      access_token: accessToken,
      expires_in: 21599,
      id_token: await kakao.signIdToken(claims),
    });
    const authorize = await fetch(authorizeUrl, { redirect: 'manual' });
    const landing = (await browser.navigate(authorize.headers.get('location') ?? '')).finalUrl;
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_ID_TOKEN_INVALID');
    const rows = await query(t.databaseUrl, `SELECT 1 FROM identities WHERE subject = $1`, [
      String(user.id),
    ]);
    expect(rows).toHaveLength(0);
  });

  it('should answer consent refused, a failed token exchange and an unreadable profile with their codes', async () => {
    kakaoUser({ cancel: true });
    const denied = await flows.flow();
    expect(denied.landing.searchParams.get('error')).toBe('AUTH_OAUTH_DENIED');
    expect(fragmentError(denied.landing)).toBe('AUTH_OAUTH_DENIED');
    expect(denied.browser.cookieNames(t.baseUrl)).toEqual([]);

    kakaoUser();
    kakao.failNext('token', 400, {
      error: 'invalid_grant',
      error_description: 'authorization code not found',
      error_code: 'KOE320',
    });
    const token = await flows.flow();
    expect(token.landing.searchParams.get('error')).toBe('AUTH_OAUTH_TOKEN_EXCHANGE_FAILED');
    expect(fragmentError(token.landing)).toBe('AUTH_OAUTH_TOKEN_EXCHANGE_FAILED');

    kakao.failNext('profile', 401, { msg: 'this access token does not exist', code: -401 });
    const profile = await flows.flow();
    expect(profile.landing.searchParams.get('error')).toBe('AUTH_OAUTH_PROFILE_UNREADABLE');
    expect(fragmentError(profile.landing)).toBe('AUTH_OAUTH_PROFILE_UNREADABLE');
    expect(profile.landing.searchParams.get('error_description')).toMatch(/Kakao/);
  });

  it('should refuse a tampered state, a replayed state and a replayed hand-off code', async () => {
    kakaoUser();
    const tamperedBrowser = new RedirectBrowser(FRONTEND);
    const tampered = new URL(await flows.callbackUrl(tamperedBrowser));
    tampered.searchParams.set('state', 'forged-state-value');
    const forged = await tamperedBrowser.navigate(tampered.toString());
    expect(forged.finalUrl.searchParams.get('error')).toBe('AUTH_OAUTH_STATE_INVALID');

    const browser = new RedirectBrowser(FRONTEND);
    const callback = await flows.callbackUrl(browser);
    const first = await browser.navigate(callback);
    const code = first.finalUrl.searchParams.get('code');
    expect(code).not.toBeNull();
    const replayed = await browser.navigate(callback);
    expect(replayed.finalUrl.searchParams.get('error')).toBe('AUTH_OAUTH_STATE_INVALID');

    expect((await flows.exchange(code)).status).toBe(200);
    const again = await flows.exchange(code);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error_code: 'AUTH_OAUTH_CODE_INVALID' });
  });

  it('should keep Kakao tokens out of responses, URLs and stored records', async () => {
    kakaoUser();
    const { landing, navigation } = await flows.flow();
    const tokens = await flows.exchange(landing.searchParams.get('code'));
    const accessToken = (kakao.profileRequests.at(-1)?.authorization ?? '').replace('Bearer ', '');
    expect(accessToken.length).toBeGreaterThan(10);
    const traces = await waitFor(async () => {
      const text = await storedTraces(t, tokens.body.user.id);
      return text.includes('auth.login') ? text : undefined;
    });
    for (const text of [traces, JSON.stringify(tokens.body), navigation.visited.join(' ')]) {
      expect(text).not.toContain(accessToken);
    }
  });

  it.each([
    ['a long redirect', `/${'x'.repeat(600)}`],
    ['another host', 'https://evil.test/'],
  ])('should answer %s with a 400 envelope', async (_case, redirect) => {
    const response = await requestJson(
      `${t.baseUrl}/api/v1/auth/kakao?redirect=${encodeURIComponent(redirect)}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error_code: expect.any(String),
      request_id: expect.any(String),
    });
  });
});

describe('Sign in with Kakao, Naver or Microsoft, not configured', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        KAKAO_CLIENT_ID: undefined,
        NAVER_CLIENT_ID: undefined,
        MICROSOFT_CLIENT_ID: undefined,
      },
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it.each(['kakao', 'naver', 'microsoft'])(
    'should answer 404 AUTH_PROVIDER_DISABLED on the %s routes and not list it',
    async (provider) => {
      for (const path of [
        `/api/v1/auth/${provider}`,
        `/api/v1/auth/${provider}/callback?code=x&state=y`,
      ]) {
        const response = await requestJson(`${t.baseUrl}${path}`, { redirect: 'manual' });
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ error_code: 'AUTH_PROVIDER_DISABLED' });
      }
      const providers = await requestJson<Array<{ id: string }>>(
        `${t.baseUrl}/api/v1/auth/providers`,
      );
      expect(providers.body.map((listed) => listed.id)).not.toContain(provider);
    },
  );
});
