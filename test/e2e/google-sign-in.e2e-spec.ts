import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  bearer,
  createTenant,
  createUser,
  login,
  uniqueEmail,
  type Tokens,
} from '../factories/accounts.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { requestJson, waitFor } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { MockOAuthProvider, type UserinfoClaims } from '../support/oauth-provider.js';
import { RedirectBrowser } from '../support/redirect-browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FRONTEND = 'http://frontend.test';
// Anything that looks like one of our tokens, or a provider's, in a URL.
const TOKEN_IN_URL = /access_token|refresh_token|id_token|eyJ[A-Za-z0-9_-]{10,}\./;

describe('Sign in with Google (against oauth2-mock-server)', () => {
  const clock = new ManualClock();
  const provider = new MockOAuthProvider();
  let t: TestApp;

  beforeAll(async () => {
    await provider.start();
    const port = await freePort();
    t = await startTestApp({
      clock,
      port,
      env: {
        FRONTEND_URL: FRONTEND,
        ...provider.env(`http://127.0.0.1:${port}/api/v1/auth/google/callback`),
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await provider.stop();
  });

  const googleUser = (overrides: Partial<UserinfoClaims> = {}): UserinfoClaims => ({
    sub: `google-${randomBytes(6).toString('hex')}`,
    email: uniqueEmail('g'),
    email_verified: true,
    name: 'Minji Kim',
    ...overrides,
  });

  /** The whole browser round trip; every URL on the way is checked for tokens. */
  async function googleFlow(
    claims: UserinfoClaims,
    options: { redirect?: string; browser?: RedirectBrowser; start?: string } = {},
  ) {
    provider.nextUser(claims);
    const browser = options.browser ?? new RedirectBrowser(FRONTEND);
    const start =
      options.start ??
      `${t.baseUrl}/api/v1/auth/google${options.redirect ? `?redirect=${encodeURIComponent(options.redirect)}` : ''}`;
    const navigation = await browser.navigate(start);
    for (const url of navigation.visited) {
      expect(url).not.toMatch(TOKEN_IN_URL);
    }
    const landing = navigation.finalUrl;
    expect(landing.origin + landing.pathname).toBe(`${FRONTEND}/auth/callback`);
    return { landing, navigation, browser };
  }

  async function exchange(code: string | null) {
    return requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/oauth/exchange`, {
      method: 'POST',
      json: { code },
    });
  }

  async function signIn(claims: UserinfoClaims): Promise<Tokens> {
    const { landing } = await googleFlow(claims);
    expect(landing.searchParams.get('error')).toBeNull();
    const response = await exchange(landing.searchParams.get('code'));
    expect(response.status).toBe(200);
    for (const value of [response.body.access_token, response.body.refresh_token]) {
      expect(landing.toString()).not.toContain(value);
    }
    return response.body;
  }

  it('should start with PKCE, the OpenID scopes and a sealed HttpOnly state cookie', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/auth/google?redirect=/classes`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(`${provider.url}/authorize`);
    expect(location.searchParams.get('scope')).toBe('openid email profile');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(location.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^ds_oauth_state=[A-Za-z0-9_-]+; Path=\/api\/v1\/auth\/google; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    // Sealed: neither the state nor the redirect can be read from it.
    expect(cookie).not.toContain(location.searchParams.get('state') ?? '-');
    expect(cookie).not.toContain('classes');
  });

  it('should create a verified, password-less student account for a new Google user', async () => {
    const claims = googleUser();
    const { landing } = await googleFlow(claims, { redirect: '/classes/7?tab=work' });
    expect(landing.searchParams.get('redirect')).toBe('/classes/7?tab=work');
    expect(landing.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The strict-provider detail: the provider's token went in the header, not the URL.
    expect(provider.lastUserinfoAuthorization).toMatch(/^Bearer /);
    expect(provider.lastUserinfoUrl).toBe('/userinfo');

    const tokens = await exchange(landing.searchParams.get('code'));
    expect(tokens.status).toBe(200);
    expect(tokens.body.token_type).toBe('bearer');
    const me = await requestJson<{ email: string; email_verified: boolean; full_name: string }>(
      `${t.baseUrl}/api/v1/users/me`,
      { headers: bearer(tokens.body.access_token) },
    );
    expect(me.body).toMatchObject({ email: claims.email, full_name: 'Minji Kim' });
    const [row] = await query<{ password_hash: string | null; email_verified_at: Date | null }>(
      t.databaseUrl,
      `SELECT password_hash, email_verified_at FROM users WHERE id = $1`,
      [tokens.body.user.id],
    );
    expect(row?.password_hash).toBeNull();
    expect(row?.email_verified_at).not.toBeNull();
    const identities = await requestJson<Array<{ provider: string; email: string }>>(
      `${t.baseUrl}/api/v1/users/me/identities`,
      { headers: bearer(tokens.body.access_token) },
    );
    expect(identities.body).toEqual([
      expect.objectContaining({ provider: 'google', email: claims.email }),
    ]);
    const events = await query<{ type: string; payload: Record<string, unknown> }>(
      t.databaseUrl,
      `SELECT type, payload FROM outbox_events WHERE aggregate_id = $1 ORDER BY occurred_at`,
      [tokens.body.user.id],
    );
    expect(events.map((event) => event.type)).toEqual(['user.created', 'user.logged_in']);
    expect(events[0]?.payload).toMatchObject({ role: 'student', provider: 'google' });
    const history = await query<{ provider: string; success: boolean }>(
      t.databaseUrl,
      `SELECT provider, success FROM login_history WHERE user_id = $1`,
      [tokens.body.user.id],
    );
    expect(history).toEqual([{ provider: 'google', success: true }]);
  });

  it('should sign a returning Google user into the same account', async () => {
    const claims = googleUser();
    const first = await signIn(claims);
    // The address changed at Google: the link is by `sub`, not by email.
    const second = await signIn({ ...claims, email: uniqueEmail('renamed') });
    expect(second.user.id).toBe(first.user.id);
    const [count] = await query<{ n: string }>(
      t.databaseUrl,
      `SELECT count(*) AS n FROM identities WHERE subject = $1`,
      [claims.sub],
    );
    expect(count?.n).toBe('1');
  });

  it('should link an existing account when Google has verified the same email', async () => {
    const existing = await createUser(t);
    const tokens = await signIn(googleUser({ email: existing.email.toUpperCase() }));
    expect(tokens.user.id).toBe(existing.id);
    // The password keeps working beside Google.
    expect((await login(t, existing)).user.id).toBe(existing.id);
  });

  it('should make a school-managed account self-managed once its owner signs in with Google', async () => {
    const school = await createTenant(t);
    const pupil = await createUser(t, { tenant: school, role: 'student', schoolManaged: true });
    const tokens = await signIn(googleUser({ email: pupil.email }));
    expect(tokens.user.id).toBe(pupil.id);
    const [row] = await query<{ managed_by_tenant_id: string | null }>(
      t.databaseUrl,
      `SELECT managed_by_tenant_id FROM users WHERE id = $1`,
      [pupil.id],
    );
    expect(row?.managed_by_tenant_id).toBeNull();
  });

  it('should refuse to link by an email Google has not verified, and say how to link', async () => {
    const existing = await createUser(t);
    const { landing } = await googleFlow(
      googleUser({ email: existing.email, email_verified: false }),
    );
    expect(landing.searchParams.get('code')).toBeNull();
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_NOT_VERIFIED');
    expect(landing.searchParams.get('error_description')).toMatch(
      /sign in with your password, then link Google/,
    );
    const rows = await query(t.databaseUrl, `SELECT 1 FROM identities WHERE user_id = $1`, [
      existing.id,
    ]);
    expect(rows).toHaveLength(0);
  });

  it('should not create an account for an unverified address either', async () => {
    const claims = googleUser({ email_verified: 'false' });
    const { landing } = await googleFlow(claims);
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_MISSING');
    const rows = await query(t.databaseUrl, `SELECT 1 FROM users WHERE email = $1`, [claims.email]);
    expect(rows).toHaveLength(0);
  });

  it('should take the password from an unverified account Google now proves is someone else', async () => {
    // Someone registered this address (never verified) hoping its owner signs in with Google.
    const squatted = await createUser(t, { verified: false });
    const tokens = await signIn(googleUser({ email: squatted.email }));
    expect(tokens.user.id).toBe(squatted.id);
    const response = await requestJson(`${t.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      json: { email: squatted.email, password: squatted.password },
    });
    expect(response.status).toBe(401);
  });

  it('should make a Workspace user a student of the school that claims the `hd` domain', async () => {
    const domain = `${randomBytes(4).toString('hex')}.school.test`;
    const tenant = await createTenant(t);
    await query(t.databaseUrl, `UPDATE tenants SET settings = $2 WHERE id = $1`, [
      tenant,
      JSON.stringify({ google_domains: [domain] }),
    ]);
    const fresh = await signIn(googleUser({ hd: domain, email: `pupil@${domain}` }));
    expect(fresh.user.memberships).toEqual([
      expect.objectContaining({ tenant_id: tenant, role: 'student' }),
    ]);
    const claims = JSON.parse(
      Buffer.from(fresh.access_token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { tid: string; role: string };
    expect(claims).toMatchObject({ tid: tenant, role: 'student' });

    // An existing account signing in from that Workspace gets the membership too.
    const existing = await createUser(t);
    const joined = await signIn(googleUser({ hd: domain, email: existing.email }));
    expect(joined.user.memberships).toEqual([
      expect.objectContaining({ tenant_id: tenant, role: 'student' }),
    ]);
  });

  it('should ignore an `hd` claim no active school claims', async () => {
    const tokens = await signIn(googleUser({ hd: 'unclaimed.test' }));
    expect(tokens.user.memberships).toEqual([]);
  });

  it('should land on the web app with AUTH_OAUTH_DENIED when consent is denied', async () => {
    provider.onceRedirect((url) => {
      url.searchParams.delete('code');
      url.searchParams.set('error', 'access_denied');
      url.searchParams.set('error_description', 'The user denied access');
    });
    const { landing, browser } = await googleFlow(googleUser());
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_DENIED');
    expect(landing.searchParams.get('code')).toBeNull();
    // The state cookie is gone either way.
    expect(browser.cookieNames(t.baseUrl)).toEqual([]);
  });

  it('should refuse a tampered state, and a callback from a browser that never started', async () => {
    provider.onceRedirect((url) => url.searchParams.set('state', 'forged-state-value'));
    const tampered = await googleFlow(googleUser());
    expect(tampered.landing.searchParams.get('error')).toBe('AUTH_OAUTH_STATE_INVALID');

    // A real code and state, replayed from another browser (no cookie).
    provider.onceRedirect(() => undefined);
    const start = await fetch(`${t.baseUrl}/api/v1/auth/google`, { redirect: 'manual' });
    const authorize = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const callback = authorize.headers.get('location') ?? '';
    const elsewhere = await new RedirectBrowser(FRONTEND).navigate(callback);
    expect(elsewhere.finalUrl.searchParams.get('error')).toBe('AUTH_OAUTH_STATE_INVALID');

    for (const query of ['', '?code=a&code=b&state=s', `?code=${'x'.repeat(3000)}&state=s`]) {
      const odd = await new RedirectBrowser(FRONTEND).navigate(
        `${t.baseUrl}/api/v1/auth/google/callback${query}`,
      );
      expect(odd.finalUrl.searchParams.get('error')).toBe('AUTH_OAUTH_STATE_INVALID');
    }
  });

  it('should refuse a state cookie once it has expired', async () => {
    const browser = new RedirectBrowser(FRONTEND);
    const start = await browser.fetch(`${t.baseUrl}/api/v1/auth/google`);
    const authorize = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    clock.advance(11 * 60_000);
    const late = await browser.navigate(authorize.headers.get('location') ?? '');
    expect(late.finalUrl.searchParams.get('error')).toBe('AUTH_OAUTH_STATE_INVALID');
  });

  it('should accept a code once, and not after 60 s', async () => {
    const { landing } = await googleFlow(googleUser());
    const code = landing.searchParams.get('code');
    expect((await exchange(code)).status).toBe(200);
    const replay = await exchange(code);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error_code: 'AUTH_OAUTH_CODE_INVALID' });

    const late = await googleFlow(googleUser());
    clock.advance(61_000);
    const expired = await exchange(late.landing.searchParams.get('code'));
    expect(expired.status).toBe(400);
    expect(expired.body).toMatchObject({ error_code: 'AUTH_OAUTH_CODE_INVALID' });
  });

  it.each([
    ['another host', 'https://evil.test/phish'],
    ['a protocol-relative URL', '//evil.test'],
    ['a backslash trick', '/\\evil.test'],
    ['a script URL', 'javascript:alert(1)'],
    ['a dot segment before a double slash', '/.//evil.example/'],
    ['a parent segment before a double slash', '/..//x'],
    ['a parent segment inside the path', '/x/..//x'],
    ['an encoded dot segment', '/%2e//x'],
    ['an encoded backslash', '/%5c/evil.example'],
    ['two encoded backslashes', '/%5C%5Cevil.example'],
    ['encoded slashes', '/%2F%2Fevil.example'],
  ])('should refuse to redirect to %s', async (_case, redirect) => {
    const response = await requestJson(
      `${t.baseUrl}/api/v1/auth/google?redirect=${encodeURIComponent(redirect)}`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error_code: 'AUTH_REDIRECT_NOT_ALLOWED' });
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it.each([['/.//evil.example/'], ['/..//x'], ['/x/..//x'], ['/%2e//x'], ['/%5c%5cx']])(
    'should refuse to link with the redirect %s',
    async (redirect) => {
      const tokens = await login(t, await createUser(t));
      const response = await requestJson(
        `${t.baseUrl}/api/v1/auth/google/link?redirect=${encodeURIComponent(redirect)}`,
        { headers: bearer(tokens.access_token) },
      );
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error_code: 'AUTH_REDIRECT_NOT_ALLOWED' });
      expect(response.headers.get('set-cookie')).toBeNull();
    },
  );

  it('should apply lockout, deactivation and school status as a password sign-in does', async () => {
    const locked = await createUser(t);
    await query(t.databaseUrl, `UPDATE users SET locked_until = $2 WHERE id = $1`, [
      locked.id,
      new Date(clock.nowMs() + 10 * 60_000),
    ]);
    const lockedFlow = await googleFlow(googleUser({ email: locked.email }));
    expect(lockedFlow.landing.searchParams.get('error')).toBe('AUTH_ACCOUNT_LOCKED');

    const disabled = await createUser(t);
    await query(t.databaseUrl, `UPDATE users SET is_active = false WHERE id = $1`, [disabled.id]);
    const disabledFlow = await googleFlow(googleUser({ email: disabled.email }));
    expect(disabledFlow.landing.searchParams.get('error')).toBe('AUTH_ACCOUNT_DISABLED');

    const school = await createTenant(t, { status: 'suspended' });
    const member = await createUser(t, { tenant: school });
    const schoolFlow = await googleFlow(googleUser({ email: member.email }));
    expect(schoolFlow.landing.searchParams.get('error')).toBe('AUTH_TENANT_INACTIVE');

    const failures = await query<{ provider: string; failure_reason: string }>(
      t.databaseUrl,
      `SELECT provider, failure_reason FROM login_history WHERE user_id = ANY($1) ORDER BY created_at`,
      [[locked.id, disabled.id, member.id]],
    );
    expect(failures).toEqual([
      { provider: 'google', failure_reason: 'account_locked' },
      { provider: 'google', failure_reason: 'account_disabled' },
      { provider: 'google', failure_reason: 'tenant_inactive' },
    ]);
  });

  describe('identities of a signed-in user', () => {
    it('should link Google to the signed-in user, then sign in with it', async () => {
      const user = await createUser(t);
      const tokens = await login(t, user);
      const browser = new RedirectBrowser(FRONTEND);
      const started = await browser.fetch(`${t.baseUrl}/api/v1/auth/google/link?redirect=/me`, {
        headers: bearer(tokens.access_token),
      });
      expect(started.status).toBe(200);
      const { authorization_url: authorizationUrl } = (await started.json()) as {
        authorization_url: string;
      };
      expect(authorizationUrl).not.toMatch(TOKEN_IN_URL);
      const claims = googleUser({ email: uniqueEmail('other-address') });
      const { landing } = await googleFlow(claims, { browser, start: authorizationUrl });
      expect(landing.searchParams.get('linked')).toBe('google');
      expect(landing.searchParams.get('redirect')).toBe('/me');
      expect(landing.searchParams.get('code')).toBeNull();

      const identities = await requestJson<Array<{ provider: string }>>(
        `${t.baseUrl}/api/v1/users/me/identities`,
        { headers: bearer(tokens.access_token) },
      );
      expect(identities.body.map((identity) => identity.provider)).toEqual(['google']);
      expect((await signIn(claims)).user.id).toBe(user.id);
    });

    it('should refuse to link a Google account that belongs to another user', async () => {
      const owner = googleUser();
      await signIn(owner);
      const user = await createUser(t);
      const tokens = await login(t, user);
      const browser = new RedirectBrowser(FRONTEND);
      const started = await browser.fetch(`${t.baseUrl}/api/v1/auth/google/link`, {
        headers: bearer(tokens.access_token),
      });
      const { authorization_url: url } = (await started.json()) as { authorization_url: string };
      const { landing } = await googleFlow(owner, { browser, start: url });
      expect(landing.searchParams.get('error')).toBe('AUTH_IDENTITY_IN_USE');
    });

    it('should refuse to link without a token, and to an impersonator', async () => {
      const anonymous = await requestJson(`${t.baseUrl}/api/v1/auth/google/link`);
      expect(anonymous.status).toBe(401);
      const admin = await createUser(t, { superAdmin: true });
      const student = await createUser(t);
      const adminTokens = await login(t, admin);
      const impersonation = await requestJson<{ access_token: string }>(
        `${t.baseUrl}/api/v1/admin/impersonate`,
        {
          method: 'POST',
          headers: bearer(adminTokens.access_token),
          json: { user_id: student.id, reason: 'support ticket 42' },
        },
      );
      expect(impersonation.status).toBe(200);
      for (const [method, path] of [
        ['GET', '/api/v1/auth/google/link'],
        ['DELETE', '/api/v1/users/me/identities/google'],
      ] as const) {
        const response = await requestJson(`${t.baseUrl}${path}`, {
          method,
          headers: bearer(impersonation.body.access_token),
        });
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ error_code: 'AUTH_IMPERSONATION_FORBIDDEN' });
      }
    });

    it('should refuse to unlink the only way to sign in, and unlink when a password remains', async () => {
      const googleOnly = await signIn(googleUser());
      const refused = await requestJson(`${t.baseUrl}/api/v1/users/me/identities/google`, {
        method: 'DELETE',
        headers: bearer(googleOnly.access_token),
      });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ error_code: 'AUTH_LAST_SIGN_IN_METHOD' });

      const user = await createUser(t);
      const linked = await signIn(googleUser({ email: user.email }));
      const unlinked = await requestJson(`${t.baseUrl}/api/v1/users/me/identities/google`, {
        method: 'DELETE',
        headers: bearer(linked.access_token),
      });
      expect(unlinked.status).toBe(204);
      const again = await requestJson(`${t.baseUrl}/api/v1/users/me/identities/google`, {
        method: 'DELETE',
        headers: bearer(linked.access_token),
      });
      expect(again.status).toBe(404);
      const unknown = await requestJson(`${t.baseUrl}/api/v1/users/me/identities/github`, {
        method: 'DELETE',
        headers: bearer(linked.access_token),
      });
      expect(unknown.status).toBe(400);
    });

    it("should only ever show a user's own identities", async () => {
      await signIn(googleUser());
      const other = await createUser(t);
      const tokens = await login(t, other);
      const response = await requestJson<unknown[]>(`${t.baseUrl}/api/v1/users/me/identities`, {
        headers: bearer(tokens.access_token),
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual([]);
      expect((await requestJson(`${t.baseUrl}/api/v1/users/me/identities`)).status).toBe(401);
    });
  });

  it.each([
    ['no body field', {}],
    ['a number', { code: 42 }],
    ['an empty code', { code: '' }],
    ['a long code', { code: 'x'.repeat(5000) }],
    ['an unknown field', { code: 'abc', user_id: 'me' }],
  ])('should answer %s at the exchange with a 400 envelope', async (_case, body) => {
    const response = await requestJson(`${t.baseUrl}/api/v1/auth/oauth/exchange`, {
      method: 'POST',
      json: body,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error_code: expect.any(String),
      request_id: expect.any(String),
    });
  });

  it('should keep the hand-off code and the tokens out of the audit trail', async () => {
    const { landing } = await googleFlow(googleUser());
    const code = landing.searchParams.get('code') ?? '';
    const tokens = await exchange(code);
    const rows = await waitFor(async () => {
      const found = await query<{ row: string }>(
        t.databaseUrl,
        `SELECT row_to_json(a)::text AS row FROM audit_logs a
         WHERE action = 'auth.login' AND actor_id = $1`,
        [tokens.body.user.id],
      );
      return found.length > 0 ? found : undefined;
    });
    for (const { row } of rows) {
      expect(row).not.toContain(code);
      expect(row).not.toContain(tokens.body.refresh_token);
      expect(row).not.toContain(tokens.body.access_token);
    }
  });
});

describe('Sign in with Google, not configured', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { GOOGLE_CLIENT_ID: undefined } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('should answer 404 AUTH_PROVIDER_DISABLED on the Google routes', async () => {
    for (const path of ['/api/v1/auth/google', '/api/v1/auth/google/callback?code=x&state=y']) {
      const response = await requestJson(`${t.baseUrl}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error_code: 'AUTH_PROVIDER_DISABLED' });
    }
    const user = await createUser(t);
    const tokens = await login(t, user);
    const link = await requestJson(`${t.baseUrl}/api/v1/auth/google/link`, {
      headers: bearer(tokens.access_token),
    });
    expect(link.status).toBe(404);
  });

  it('should say so in the OpenAPI document', async () => {
    const document = await requestJson<{
      paths: Record<string, { get?: { responses: Record<string, { description: string }> } }>;
    }>(`${t.baseUrl}/docs-json`);
    const start = document.body.paths['/api/v1/auth/google']?.get;
    expect(start?.responses['404']?.description).toMatch(/AUTH_PROVIDER_DISABLED/);
  });
});
