import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

export interface StrictProviderOptions {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface AccountClaims {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
}

/**
 * node-oidc-provider, a certified OpenID provider: refuses query-string access tokens,
 * requires PKCE, checks client secret and redirect URI exactly. Its login and consent
 * screens are answered here as a user who says yes (as `signInAs`).
 */
export class StrictOidcProvider {
  private server?: http.Server;
  private account?: AccountClaims;
  readonly issuer: string;

  constructor(private readonly options: StrictProviderOptions) {
    this.issuer = `http://127.0.0.1:${options.port}`;
  }

  signInAs(account: AccountClaims): void {
    this.account = account;
  }

  async start(): Promise<void> {
    const provider = new Provider(this.issuer, {
      clients: [
        {
          client_id: this.options.clientId,
          client_secret: this.options.clientSecret,
          redirect_uris: [this.options.redirectUri],
          // A loopback http:// redirect is only allowed for native clients.
          application_type: 'native',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      routes: { userinfo: '/userinfo' },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      pkce: { required: () => true },
      cookies: { keys: ['strict-oidc-provider-test-key'] },
      jwks: { keys: [{ ...signingKey(), use: 'sig', alg: 'RS256' }] as never },
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        Grant: 600,
        IdToken: 600,
        Interaction: 600,
        Session: 600,
      },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, id) => ({
        accountId: id,
        claims: () => ({ ...(this.account ?? { sub: id }), sub: id }),
      }),
    });
    const handle = provider.callback();
    this.server = http.createServer((request, response) => {
      if (!request.url?.startsWith('/interaction/')) {
        void handle(request, response);
        return;
      }
      this.interact(provider, request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
    await new Promise<void>((resolve) => {
      this.server?.listen(this.options.port, '127.0.0.1', resolve);
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server?.close(() => resolve());
    });
  }

  private async interact(
    provider: Provider,
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const details = await provider.interactionDetails(request, response);
    if (details.prompt.name === 'login') {
      await provider.interactionFinished(
        request,
        response,
        { login: { accountId: this.account?.sub ?? 'nobody' } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const grant = new provider.Grant({
      accountId: details.session?.accountId ?? '',
      clientId: String(details.params.client_id),
    });
    grant.addOIDCScope(String(details.params.scope));
    await provider.interactionFinished(
      request,
      response,
      { consent: { grantId: await grant.save() } },
      { mergeWithLastSubmission: true },
    );
  }
}

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ format: 'jwk' });
}
