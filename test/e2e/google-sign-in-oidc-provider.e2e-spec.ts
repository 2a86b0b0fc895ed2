import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bearer, uniqueEmail, type Tokens } from '../factories/accounts.js';
import { freePort } from '../support/free-port.js';
import { requestJson } from '../support/http.js';
import { RedirectBrowser } from '../support/redirect-browser.js';
import { StrictOidcProvider } from '../support/strict-oidc-provider.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FRONTEND = 'http://frontend.test';

describe('Sign in with Google against a strict OpenID provider (oidc-provider)', () => {
  let t: TestApp;
  let provider: StrictOidcProvider;

  beforeAll(async () => {
    const [appPort, providerPort] = [await freePort(), await freePort()];
    const callback = `http://127.0.0.1:${appPort}/api/v1/auth/google/callback`;
    const clientSecret = randomBytes(24).toString('hex');
    provider = new StrictOidcProvider({
      port: providerPort,
      clientId: 'dreamseed-strict-client',
      clientSecret,
      redirectUri: callback,
    });
    await provider.start();
    t = await startTestApp({
      port: appPort,
      env: {
        FRONTEND_URL: FRONTEND,
        GOOGLE_CLIENT_ID: 'dreamseed-strict-client',
        GOOGLE_CLIENT_SECRET: clientSecret,
        GOOGLE_CALLBACK_URL: callback,
        GOOGLE_AUTHORIZATION_URL: `${provider.issuer}/auth`,
        GOOGLE_TOKEN_URL: `${provider.issuer}/token`,
        GOOGLE_USERINFO_URL: `${provider.issuer}/userinfo`,
      },
    });
  });

  afterAll(async () => {
    await t.close();
    await provider.stop();
  });

  it('should sign a new user in through login and consent, with no token in any URL', async () => {
    const email = uniqueEmail('strict');
    provider.signInAs({
      sub: `strict-${randomBytes(6).toString('hex')}`,
      email,
      email_verified: true,
      name: 'Seo-yeon Park',
    });
    const browser = new RedirectBrowser(FRONTEND);
    const navigation = await browser.navigate(`${t.baseUrl}/api/v1/auth/google?redirect=/home`);
    // Through the provider's own login and consent pages and back.
    expect(navigation.visited.some((url) => url.includes('/interaction/'))).toBe(true);
    for (const url of navigation.visited) {
      expect(url).not.toMatch(/access_token|refresh_token|id_token/);
    }
    const landing = navigation.finalUrl;
    expect(landing.searchParams.get('error')).toBeNull();
    expect(landing.searchParams.get('redirect')).toBe('/home');

    const tokens = await requestJson<Tokens>(`${t.baseUrl}/api/v1/auth/oauth/exchange`, {
      method: 'POST',
      json: { code: landing.searchParams.get('code') },
    });
    expect(tokens.status).toBe(200);
    const me = await requestJson<{ email: string; full_name: string }>(
      `${t.baseUrl}/api/v1/users/me`,
      { headers: bearer(tokens.body.access_token) },
    );
    expect(me.body).toMatchObject({ email, full_name: 'Seo-yeon Park' });
  });
});
