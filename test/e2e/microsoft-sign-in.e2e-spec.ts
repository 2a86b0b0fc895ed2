import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, login } from '../factories/accounts.js';
import { activateTenant, market, marketEnv } from '../factories/market.js';
import { query } from '../support/database-client.js';
import { freePort } from '../support/free-port.js';
import { waitFor } from '../support/http.js';
import { ManualClock } from '../support/manual-clock.js';
import { MicrosoftOidcProvider, type MicrosoftUser } from '../support/microsoft-oidc-provider.js';
import {
  fragmentError,
  FRONTEND,
  providerSignIn,
  storedTraces,
} from '../support/provider-sign-in.js';
import { RedirectBrowser } from '../support/redirect-browser.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('Sign in with Microsoft (against oidc-provider as the identity platform v2.0)', () => {
  const clock = new ManualClock();
  const [schoolTid, otherTid] = [randomUUID(), randomUUID()];
  let microsoft: MicrosoftOidcProvider;
  let t: TestApp;
  let schoolDomain: string;
  let school: string;
  const flows = providerSignIn(() => t, 'microsoft');

  beforeAll(async () => {
    const port = await freePort();
    const callback = `http://127.0.0.1:${port}/api/v1/auth/microsoft/callback`;
    microsoft = new MicrosoftOidcProvider({
      redirectUris: [callback],
      tenants: [schoolTid, otherTid],
    });
    await microsoft.start();
    t = await startTestApp({
      clock,
      port,
      env: { FRONTEND_URL: FRONTEND, ...marketEnv, ...microsoft.env(callback) },
    });
    // The school lists its own domain and Entra tenant through the Service Market's settings route.
    schoolDomain = `${randomBytes(4).toString('hex')}.school.test`;
    school = await activateTenant(t);
    const settings = await market(t, 'PUT', `/mt/tenant/${school}/settings`, {
      config: { microsoft_domains: [schoolDomain], microsoft_tenant_ids: [schoolTid] },
    });
    expect(settings.status).toBe(200);
    expect(settings.body.config).toMatchObject({ microsoft_tenant_ids: [schoolTid] });
  });

  afterAll(async () => {
    await t.close();
    await microsoft.stop();
  });

  const msUser = (overrides: Partial<MicrosoftUser> = {}): MicrosoftUser => {
    const local = `pupil-${randomBytes(4).toString('hex')}`;
    const user: MicrosoftUser = {
      tid: schoolTid,
      oid: randomUUID(),
      preferredUsername: `${local}@${schoolDomain}`,
      email: `${local}@${schoolDomain}`,
      name: 'Ji-ho Lee',
      ...overrides,
    };
    microsoft.nextUser(user);
    return user;
  };

  it('should start at the tenant authority with PKCE, a nonce and the OpenID scopes', async () => {
    const response = await fetch(`${t.baseUrl}/api/v1/auth/microsoft`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(microsoft.authorizationUrl('organizations'));
    expect(location.searchParams.get('scope')).toBe('openid profile email');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('nonce')?.length).toBeGreaterThanOrEqual(32);
  });

  it('should make a school user a verified student of the school listing the domain, keyed by (tid, oid)', async () => {
    const user = msUser();
    const first = await flows.signIn();
    expect(first.user.memberships).toEqual([
      expect.objectContaining({ tenant_id: school, role: 'student' }),
    ]);
    const [identity] = await query<{ subject: string; email: string }>(
      t.databaseUrl,
      `SELECT subject, email FROM identities WHERE user_id = $1 AND provider = 'microsoft'`,
      [first.user.id],
    );
    expect(identity).toEqual({ subject: `${schoolTid}:${user.oid}`, email: user.email });
    const [row] = await query<{ email_verified_at: Date | null }>(
      t.databaseUrl,
      `SELECT email_verified_at FROM users WHERE id = $1`,
      [first.user.id],
    );
    expect(row?.email_verified_at).not.toBeNull();
    expect(microsoft.tokenRequests.at(-1)?.codeVerifier).toBeTruthy();

    microsoft.nextUser(user);
    expect((await flows.signIn()).user.id).toBe(first.user.id);
  });

  it('should take the email from preferred_username when there is no email claim', async () => {
    const user = msUser({ email: undefined });
    const tokens = await flows.signIn();
    expect((await flows.identities(tokens))[0]?.email).toBe(user.preferredUsername);
  });

  it("should link an existing account by email only on the school's own domain", async () => {
    const local = `teacher-${randomBytes(4).toString('hex')}`;
    const existing = await createUser(t, { email: `${local}@${schoolDomain}` });
    msUser({ email: existing.email, preferredUsername: existing.email });
    expect((await flows.signIn()).user.id).toBe(existing.id);

    // Another tenant's user with an address at a domain no school lists: not verified.
    const elsewhere = await createUser(t);
    msUser({ tid: otherTid, email: elsewhere.email, preferredUsername: elsewhere.email });
    const refused = await flows.flow();
    expect(refused.landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_NOT_VERIFIED');
    expect(refused.landing.searchParams.get('error_description')).toMatch(/then link Microsoft/);

    // Nor may it make a new account on an unverified address.
    msUser({
      tid: otherTid,
      email: 'someone@unlisted.test',
      preferredUsername: 'someone@unlisted.test',
    });
    const fresh = await flows.flow();
    expect(fresh.landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_MISSING');
  });

  it("should not trust the school's domain from an account of another Microsoft tenant", async () => {
    // Anyone can add any domain, unverified, to an Entra tenant of their own ("nOAuth").
    const local = `head-${randomBytes(4).toString('hex')}`;
    const victim = await createUser(t, { email: `${local}@${schoolDomain}` });
    msUser({ tid: otherTid, email: victim.email, preferredUsername: victim.email });
    const takeover = await flows.flow();
    expect(takeover.landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_NOT_VERIFIED');
    expect(fragmentError(takeover.landing)).toBe('AUTH_OAUTH_EMAIL_NOT_VERIFIED');

    // Nor does such an account join the school as a new student.
    const intruder = `intruder-${randomBytes(4).toString('hex')}@${schoolDomain}`;
    msUser({ tid: otherTid, email: intruder, preferredUsername: intruder });
    const joined = await flows.flow();
    expect(joined.landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_MISSING');
    const identities = await query(
      t.databaseUrl,
      `SELECT 1 FROM identities WHERE provider = 'microsoft' AND subject LIKE $1`,
      [`${otherTid}:%`],
    );
    expect(identities).toHaveLength(0);
    const [members] = await query<{ count: number }>(
      t.databaseUrl,
      `SELECT count(*)::int AS count FROM memberships m JOIN users u ON u.id = m.user_id
       WHERE m.tenant_id = $1 AND u.email IN ($2, $3)`,
      [school, victim.email, intruder],
    );
    expect(members?.count).toBe(0);
  });

  it('should trust no domain of a school that lists no Microsoft tenant id', async () => {
    const domain = `${randomBytes(4).toString('hex')}.school.test`;
    const second = await activateTenant(t);
    const settings = await market(t, 'PUT', `/mt/tenant/${second}/settings`, {
      config: { microsoft_domains: [domain] },
    });
    expect(settings.status).toBe(200);
    const pupil = `pupil-${randomBytes(4).toString('hex')}@${domain}`;
    msUser({ tid: schoolTid, email: pupil, preferredUsername: pupil });
    const refused = await flows.flow();
    expect(refused.landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_MISSING');

    const listed = await market(t, 'PUT', `/mt/tenant/${second}/settings`, {
      config: { microsoft_tenant_ids: [otherTid] },
    });
    expect(listed.status).toBe(200);
    msUser({ tid: otherTid, email: pupil, preferredUsername: pupil });
    const tokens = await flows.signIn();
    expect(tokens.user.memberships).toEqual([
      expect.objectContaining({ tenant_id: second, role: 'student' }),
    ]);

    const bad = await market(t, 'PUT', `/mt/tenant/${second}/settings`, {
      config: { microsoft_tenant_ids: [otherTid.toUpperCase()] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error_code: 'COMMON_VALIDATION_FAILED' });
  });

  it('should refuse a domain another school already claims for Microsoft', async () => {
    const second = await activateTenant(t);
    const clash = await market(t, 'PUT', `/mt/tenant/${second}/settings`, {
      config: { microsoft_domains: [schoolDomain] },
    });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ error_code: 'TENANT_MICROSOFT_DOMAIN_TAKEN' });
    const bad = await market(t, 'PUT', `/mt/tenant/${second}/settings`, {
      config: { microsoft_domains: ['Not A Domain'] },
    });
    expect(bad.status).toBe(400);
  });

  it('should link Microsoft to a signed-in user and unlink it; the last method cannot go', async () => {
    const user = await createUser(t);
    const tokens = await login(t, user);
    const { browser, url } = await flows.startLink(tokens);
    msUser({ tid: otherTid, email: 'work@unlisted.test', preferredUsername: 'work@unlisted.test' });
    const { landing } = await flows.flow({ browser, start: url });
    expect(landing.searchParams.get('linked')).toBe('microsoft');
    expect((await flows.identities(tokens)).map((identity) => identity.provider)).toEqual([
      'microsoft',
    ]);
    expect((await flows.signIn()).user.id).toBe(user.id);
    expect((await flows.unlink(tokens)).status).toBe(204);
    const audit = await waitFor(async () => {
      const rows = await query<{ metadata: Record<string, unknown> }>(
        t.databaseUrl,
        `SELECT metadata FROM audit_logs WHERE action = 'auth.identity_unlinked' AND actor_id = $1`,
        [user.id],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(audit[0]?.metadata).toMatchObject({ provider: 'microsoft' });

    msUser();
    const microsoftOnly = await flows.signIn();
    const refused = await flows.unlink(microsoftOnly);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error_code: 'AUTH_LAST_SIGN_IN_METHOD' });
  });

  it('should answer a refused consent and a failed token exchange with their codes', async () => {
    msUser({ cancel: true });
    const denied = await flows.flow();
    expect(denied.landing.searchParams.get('error')).toBe('AUTH_OAUTH_DENIED');
    expect(fragmentError(denied.landing)).toBe('AUTH_OAUTH_DENIED');

    msUser();
    const browser = new RedirectBrowser(FRONTEND);
    const callback = new URL(await flows.callbackUrl(browser));
    callback.searchParams.set('code', 'not-a-code-microsoft-issued');
    const exchange = await browser.navigate(callback.toString());
    expect(exchange.finalUrl.searchParams.get('error')).toBe('AUTH_OAUTH_TOKEN_EXCHANGE_FAILED');
  });

  it('should refuse a tampered state, a replayed state and a replayed hand-off code', async () => {
    msUser();
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

  it('should keep Microsoft tokens out of responses and stored records', async () => {
    msUser();
    const { landing } = await flows.flow();
    const tokens = await flows.exchange(landing.searchParams.get('code'));
    const traces = await waitFor(async () => {
      const text = await storedTraces(t, tokens.body.user.id);
      return text.includes('auth.login') ? text : undefined;
    });
    // No JWT of any kind (Microsoft's id_token, or ours) is stored.
    expect(traces).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    expect(JSON.stringify(tokens.body)).not.toContain('id_token');
  });
});

describe('Sign in with Microsoft, one tenant only', () => {
  const [schoolTid, otherTid] = [randomUUID(), randomUUID()];
  let microsoft: MicrosoftOidcProvider;
  let t: TestApp;
  const flows = providerSignIn(() => t, 'microsoft');

  beforeAll(async () => {
    const port = await freePort();
    const callback = `http://127.0.0.1:${port}/api/v1/auth/microsoft/callback`;
    microsoft = new MicrosoftOidcProvider({
      redirectUris: [callback],
      tenants: [schoolTid, otherTid],
    });
    await microsoft.start();
    t = await startTestApp({
      port,
      env: { FRONTEND_URL: FRONTEND, ...microsoft.env(callback, schoolTid) },
    });
  });

  afterAll(async () => {
    await t.close();
    await microsoft.stop();
  });

  it("should accept the tenant's own users (issuer of that tenant) and refuse others", async () => {
    microsoft.nextUser({
      tid: schoolTid,
      oid: randomUUID(),
      preferredUsername: 'a@unlisted.test',
      email: 'a@unlisted.test',
      name: 'A',
    });
    const start = await fetch(`${t.baseUrl}/api/v1/auth/microsoft`, { redirect: 'manual' });
    expect(new URL(start.headers.get('location') ?? '').pathname).toBe(
      `/${schoolTid}/oauth2/v2.0/authorize`,
    );
    // An unlisted domain: the account is not made, but the ID token was accepted.
    const own = await flows.flow();
    expect(own.landing.searchParams.get('error')).toBe('AUTH_OAUTH_EMAIL_MISSING');

    microsoft.nextUser({
      tid: otherTid,
      oid: randomUUID(),
      preferredUsername: 'b@unlisted.test',
      name: 'B',
    });
    const other = await flows.flow();
    expect(other.landing.searchParams.get('error')).toBe('AUTH_OAUTH_DENIED');
  });
});

describe('Sign in with Microsoft, an ID token from another issuer', () => {
  const tid = randomUUID();
  let microsoft: MicrosoftOidcProvider;
  let t: TestApp;
  const flows = providerSignIn(() => t, 'microsoft');

  beforeAll(async () => {
    const port = await freePort();
    const callback = `http://127.0.0.1:${port}/api/v1/auth/microsoft/callback`;
    microsoft = new MicrosoftOidcProvider({ redirectUris: [callback], tenants: [tid] });
    await microsoft.start();
    // The same server under another name: its tokens' `iss` is not `{authority}/{tid}/v2.0`.
    const env = microsoft.env(callback);
    t = await startTestApp({
      port,
      env: {
        FRONTEND_URL: FRONTEND,
        ...env,
        MICROSOFT_AUTHORITY_URL: microsoft.authorityUrl.replace('127.0.0.1', 'localhost'),
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await microsoft.stop();
  });

  it('should refuse it with AUTH_OAUTH_ID_TOKEN_INVALID', async () => {
    microsoft.nextUser({
      tid,
      oid: randomUUID(),
      preferredUsername: 'c@unlisted.test',
      email: 'c@unlisted.test',
      name: 'C',
    });
    const { landing } = await flows.flow();
    // The code was swapped (so the token came), then its issuer refused.
    expect(microsoft.tokenRequests).toHaveLength(1);
    const keys = await fetch(
      `${microsoft.authorityUrl.replace('127.0.0.1', 'localhost')}/organizations/discovery/v2.0/keys`,
    );
    expect(keys.status).toBe(200);
    expect(landing.searchParams.get('error')).toBe('AUTH_OAUTH_ID_TOKEN_INVALID');
  });
});
