import { expect } from '@jest/globals';
import { bearer, type Tokens } from '../factories/accounts.js';
import { query } from './database-client.js';
import { requestJson } from './http.js';
import { RedirectBrowser } from './redirect-browser.js';
import type { TestApp } from './test-app.js';

export const FRONTEND = 'http://frontend.test';
/** Anything that looks like one of our tokens, or a provider's, in a URL. */
/** The error code the landing carries in its fragment (beside the one in its query). */
export function fragmentError(landing: URL): string | null {
  return new URLSearchParams(landing.hash.slice(1)).get('error');
}

export const TOKEN_IN_URL = /access_token|refresh_token|id_token|eyJ[A-Za-z0-9_-]{10,}\./;

/**
 * The browser round trips of one sign-in provider (`/api/v1/auth/<provider>`), as the Google
 * tests make them: every URL on the way is checked for tokens, and the landing is the web app.
 */
export function providerSignIn(app: () => TestApp, provider: string) {
  const base = () => `${app().baseUrl}/api/v1/auth/${provider}`;

  async function flow(
    options: { browser?: RedirectBrowser; start?: string; redirect?: string } = {},
  ) {
    const browser = options.browser ?? new RedirectBrowser(FRONTEND);
    const start =
      options.start ??
      `${base()}${options.redirect ? `?redirect=${encodeURIComponent(options.redirect)}` : ''}`;
    const navigation = await browser.navigate(start);
    for (const url of navigation.visited) {
      expect(url).not.toMatch(TOKEN_IN_URL);
    }
    const landing = navigation.finalUrl;
    expect(landing.origin + landing.pathname).toBe(`${FRONTEND}/auth/callback`);
    return { landing, navigation, browser };
  }

  async function exchange(code: string | null) {
    return requestJson<Tokens>(`${app().baseUrl}/api/v1/auth/oauth/exchange`, {
      method: 'POST',
      json: { code },
    });
  }

  async function signIn(): Promise<Tokens> {
    const { landing } = await flow();
    expect(landing.searchParams.get('error')).toBeNull();
    const response = await exchange(landing.searchParams.get('code'));
    expect(response.status).toBe(200);
    return response.body;
  }

  /** A signed-in user starts linking: the browser (holding the state cookie) and the URL. */
  async function startLink(tokens: Tokens, redirect?: string) {
    const browser = new RedirectBrowser(FRONTEND);
    const started = await browser.fetch(
      `${base()}/link${redirect ? `?redirect=${encodeURIComponent(redirect)}` : ''}`,
      { headers: bearer(tokens.access_token) },
    );
    expect(started.status).toBe(200);
    const { authorization_url: url } = (await started.json()) as { authorization_url: string };
    expect(url).not.toMatch(TOKEN_IN_URL);
    return { browser, url };
  }

  async function identities(tokens: Tokens) {
    const response = await requestJson<Array<{ provider: string; email: string | null }>>(
      `${app().baseUrl}/api/v1/users/me/identities`,
      { headers: bearer(tokens.access_token) },
    );
    expect(response.status).toBe(200);
    return response.body;
  }

  function unlink(tokens: Tokens) {
    return requestJson(`${app().baseUrl}/api/v1/users/me/identities/${provider}`, {
      method: 'DELETE',
      headers: bearer(tokens.access_token),
    });
  }

  /** The callback URL the provider sends the browser to, without following it. */
  async function callbackUrl(browser: RedirectBrowser): Promise<string> {
    const start = await browser.fetch(base());
    expect(start.status).toBe(302);
    // Through the provider's own pages (if any), stopping where it sends the browser back.
    const atProvider = new RedirectBrowser(app().baseUrl);
    const back = await atProvider.navigate(start.headers.get('location') ?? '');
    const location = back.finalUrl.toString();
    expect(location.startsWith(`${base()}/callback?`)).toBe(true);
    return location;
  }

  return { flow, exchange, signIn, startLink, identities, unlink, callbackUrl };
}

/** Every stored trace of a user's sign-ins (audit, security events, login history, outbox). */
export async function storedTraces(t: TestApp, userId: string): Promise<string> {
  const rows = await Promise.all([
    query<{ row: string }>(
      t.databaseUrl,
      `SELECT row_to_json(a)::text AS row FROM audit_logs a WHERE actor_id = $1`,
      [userId],
    ),
    query<{ row: string }>(
      t.databaseUrl,
      `SELECT row_to_json(h)::text AS row FROM login_history h WHERE user_id = $1`,
      [userId],
    ),
    query<{ row: string }>(
      t.databaseUrl,
      `SELECT row_to_json(o)::text AS row FROM outbox_events o WHERE aggregate_id = $1`,
      [userId],
    ),
    query<{ row: string }>(
      t.databaseUrl,
      `SELECT row_to_json(i)::text AS row FROM identities i WHERE user_id = $1`,
      [userId],
    ),
  ]);
  return rows
    .flat()
    .map(({ row }) => row)
    .join('\n');
}
