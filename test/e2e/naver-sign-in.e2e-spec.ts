import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, login, uniqueEmail } from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson, waitFor } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { NaverOAuthServer, naverUserId, type NaverUser } from '../support/naver-oauth-server.js';
import {
  fragmentError,
  FRONTEND,
  providerSignIn,
  storedTraces,
} from '../support/provider-sign-in.js';
import { RedirectBrowser } from '../support/redirect-browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('Sign in with Naver (against a Naver-shaped OAuth server)', () => {
  const clock = new ManualClock();
  let naver: NaverOAuthServer;
  let t: TestApp;
  const flows = providerSignIn(() => t, 'naver');

  beforeAll(async () => {
    const port = await freePort();
    const callback = `http://127.0.0.1:${port}/api/v1/auth/naver/callback`;
    naver = new NaverOAuthServer({ redirectUris: [callback] });
    await naver.start();
    t = await startTestApp({
      clock,
      port,
      env: { FRONTEND_URL: FRONTEND, ...naver.env(callback) },
    });
  });

  afterAll(async () => {
    await t.close();
    await naver.stop();
  });

  const naverUser = (overrides: Partial<NaverUser> = {}): NaverUser => {
    const user: NaverUser = {
      id: naverUserId(),
      name: '박서연',
      email: uniqueEmail('naver'),
      ...overrides,
    };
    naver.nextUser(user);
    return user;
  };

  it('should start without PKCE (Naver has none) and with a state cookie on its own path', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/auth/naver`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(naver.authorizationUrl);
    expect(location.searchParams.get('code_challenge')).toBeNull();
    expect(location.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
    expect(response.headers.get('set-cookie')).toMatch(/Path=\/api\/v1\/auth\/naver; /);
  });

  it('should create an account (email not verified) for a new Naver user, and sign them in again', async () => {
    const user = naverUser();
    const first = await flows.signIn();
    expect(naver.profileRequests.at(-1)?.authorization).toMatch(/^Bearer /);
    const [row] = await query<{ email: string; email_verified_at: Date | null; full_name: string }>(
      t.databaseUrl,
      `SELECT email, email_verified_at, full_name FROM users WHERE id = $1`,
      [first.user.id],
    );
    // Naver does not say the address is verified: the account does not claim it is.
    expect(row).toEqual({ email: user.email, email_verified_at: null, full_name: '박서연' });
    naver.nextUser({ ...user, email: uniqueEmail('renamed') });
    expect((await flows.signIn()).user.id).toBe(first.user.id);
    const [identity] = await query<{ subject: string }>(
      t.databaseUrl,
      `SELECT subject FROM identities WHERE user_id = $1 AND provider = 'naver'`,
      [first.user.id],
    );
    expect(identity?.subject).toBe(user.id);
  });

  it('should never link to an existing account by email, and say how to link', async () => {
    const existing = await createUser(t);
    naverUser({ email: existing.email });
    const { landing } = await flows.flow();
    expect(landing.searchParams.get('code')).toBeNull();
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_NOT_VERIFIED');
    expect(landing.searchParams.get('error_description')).toMatch(/then link Naver/);
    const rows = await query(t.databaseUrl, `SELECT 1 FROM identities WHERE user_id = $1`, [
      existing.id,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('should refuse a Naver account without an email with AUTH_OAUTH_EMAIL_MISSING', async () => {
    naverUser({ email: undefined });
    const { landing } = await flows.flow();
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_MISSING');
  });

  it('should link Naver from a signed-in account and unlink it; the last method cannot go', async () => {
    const user = await createUser(t);
    const tokens = await login(t, user);
    const { browser, url } = await flows.startLink(tokens);
    // The same address as the account: linking while signed in is the way.
    naverUser({ email: user.email });
    const { landing } = await flows.flow({ browser, start: url });
    expect(landing.searchParams.get('linked')).toBe('naver');
    expect((await flows.identities(tokens)).map((identity) => identity.provider)).toEqual([
      'naver',
    ]);
    expect((await flows.signIn()).user.id).toBe(user.id);
    const audit = await waitFor(async () => {
      const rows = await query<{ action: string; metadata: Record<string, unknown> }>(
        t.databaseUrl,
        `SELECT action, metadata FROM audit_logs
         WHERE action IN ('auth.identity_linked', 'auth.identity_unlinked') AND actor_id = $1`,
        [user.id],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(audit[0]).toMatchObject({
      action: 'auth.identity_linked',
      metadata: { provider: 'naver' },
    });
    expect((await flows.unlink(tokens)).status).toBe(204);

    naverUser();
    const naverOnly = await flows.signIn();
    const refused = await flows.unlink(naverOnly);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error_code: 'AUTH_LAST_SIGN_IN_METHOD' });
  });

  it.each([
    ['024 (authentication failed)', '024', 401],
    ['a 403 without API permission', '403', 403],
    ['a non-00 code with HTTP 200', '010', 200],
  ])('should fail the sign-in when the profile answers %s', async (_case, resultcode, status) => {
    naverUser();
    naver.failProfile(resultcode, 'failed', status);
    const { landing } = await flows.flow();
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_PROFILE_UNREADABLE');
    expect(fragmentError(landing)).toBe('AUTH_OAUTH_PROFILE_UNREADABLE');
    expect(landing.searchParams.get('code')).toBeNull();
  });

  it('should answer a cancelled consent and a token error sent as HTTP 200 with their codes', async () => {
    naverUser({ cancel: true });
    const denied = await flows.flow();
    expect(denied.landing.searchParams.get('error')).toBe('AUTH_OAUTH_DENIED');
    expect(fragmentError(denied.landing)).toBe('AUTH_OAUTH_DENIED');

    naverUser();
    naver.failToken('invalid_request', 'no valid data in session');
    const token = await flows.flow();
    expect(token.landing.searchParams.get('error')).toBe('AUTH_OAUTH_TOKEN_EXCHANGE_FAILED');
  });

  it('should refuse a tampered state, a replayed state and a replayed hand-off code', async () => {
    naverUser();
    const tamperedBrowser = new RedirectBrowser(FRONTEND);
    const tampered = new URL(await flows.callbackUrl(tamperedBrowser));
    tampered.searchParams.set('state', 'forged-state-value');
    const forged = await tamperedBrowser.navigate(tampered.toString());
    expect(forged.finalUrl.searchParams.get('error')).toBe('AUTH_OAUTH_STATE_INVALID');

    const browser = new RedirectBrowser(FRONTEND);
    const callback = await flows.callbackUrl(browser);
    const code = (await browser.navigate(callback)).finalUrl.searchParams.get('code');
    expect(code).not.toBeNull();
    const replayed = await browser.navigate(callback);
    expect(replayed.finalUrl.searchParams.get('error')).toBe('AUTH_OAUTH_STATE_INVALID');
    expect((await flows.exchange(code)).status).toBe(200);
    const again = await flows.exchange(code);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error_code: 'AUTH_OAUTH_CODE_INVALID' });
  });

  it('should keep Naver tokens out of responses, URLs and stored records', async () => {
    naverUser();
    const { landing, navigation } = await flows.flow();
    const tokens = await flows.exchange(landing.searchParams.get('code'));
    const accessToken = (naver.profileRequests.at(-1)?.authorization ?? '').replace('Bearer ', '');
    expect(accessToken.length).toBeGreaterThan(10);
    const traces = await waitFor(async () => {
      const text = await storedTraces(t, tokens.body.user.id);
      return text.includes('auth.login') ? text : undefined;
    });
    for (const text of [traces, JSON.stringify(tokens.body), navigation.visited.join(' ')]) {
      expect(text).not.toContain(accessToken);
    }
  });

  it('should answer a bad redirect with a 400 envelope', async () => {
    const response = await requestJson(
      `${t.baseUrl}/api/v1/auth/naver?redirect=${encodeURIComponent('//evil.test')}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error_code: 'AUTH_REDIRECT_NOT_ALLOWED' });
  });
});
