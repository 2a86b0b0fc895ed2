import type { IncomingMessage } from 'node:http';
import { OAuth2Server } from 'oauth2-mock-server';

export interface UserinfoClaims {
  sub: string;
  email?: string;
  email_verified?: boolean | string;
  name?: string;
  hd?: string;
}

/**
 * oauth2-mock-server as "Google": a real authorization-code + PKCE provider over HTTP whose
 * userinfo answer each test shapes (`nextUser`), and whose redirect a test can tamper with.
 */
export class MockOAuthProvider {
  readonly server = new OAuth2Server();
  private claims: UserinfoClaims = { sub: 'nobody' };
  /** The Authorization header of the last userinfo call (strict providers want the token there). */
  lastUserinfoAuthorization: string | undefined;
  lastUserinfoUrl: string | undefined;

  async start(): Promise<void> {
    await this.server.issuer.keys.generate('RS256');
    await this.server.start(0, '127.0.0.1');
    this.server.service.on(
      'beforeUserinfo',
      (response: { body: object }, request: IncomingMessage) => {
        this.lastUserinfoAuthorization = request.headers.authorization;
        this.lastUserinfoUrl = request.url;
        response.body = { ...this.claims };
      },
    );
  }

  get url(): string {
    return this.server.issuer.url ?? '';
  }

  env(callbackUrl: string): Record<string, string> {
    return {
      GOOGLE_CLIENT_ID: 'dreamseed-test-client',
      GOOGLE_CLIENT_SECRET: 'dreamseed-test-secret',
      GOOGLE_CALLBACK_URL: callbackUrl,
      GOOGLE_AUTHORIZATION_URL: `${this.url}/authorize`,
      GOOGLE_TOKEN_URL: `${this.url}/token`,
      GOOGLE_USERINFO_URL: `${this.url}/userinfo`,
    };
  }

  nextUser(claims: UserinfoClaims): void {
    this.claims = claims;
  }

  /** Changes the next redirect back to the app (consent denied, state swapped...). */
  onceRedirect(change: (url: URL) => void): void {
    this.server.service.once('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
      change(redirect.url);
    });
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
