import type { Strategy } from 'passport';
import { Strategy as OAuth2Strategy, type VerifyCallback } from 'passport-oauth2';
import type { OAuthFlow } from '../sign-in/provider-oauth.js';
import {
  ProviderFailure,
  type ProviderProfile,
  type StrategySetup,
} from './provider-definition.js';

const PROFILE_TIMEOUT_MS = 10_000;

/** What the token endpoint answered, and the flow the browser started (its nonce). */
export interface TokenAnswer {
  accessToken: string;
  /** The whole token response (`id_token` when the provider sends one). */
  params: Record<string, unknown>;
  flow: OAuthFlow | undefined;
}

export interface PlainOAuth2Options {
  authorizationURL: string;
  tokenURL: string;
  /** Reads the person from the token answer (a profile call, an ID token, or both). */
  read(answer: TokenAnswer): Promise<ProviderProfile>;
  /** Extra authorize parameters (an OpenID `nonce`), given the start's options. */
  authorizationParams?(options: { nonce?: string }): Record<string, string>;
}

/**
 * passport-oauth2 (state, PKCE and the code exchange) with the profile read by the definition:
 * for providers without a passport strategy worth its dependency.
 */
export function plainOAuth2Strategy(setup: StrategySetup, options: PlainOAuth2Options): Strategy {
  const strategy = new OAuth2Strategy(
    {
      authorizationURL: options.authorizationURL,
      tokenURL: options.tokenURL,
      clientID: setup.clientID,
      clientSecret: setup.clientSecret,
      callbackURL: setup.callbackURL,
      scope: setup.scope.length > 0 ? setup.scope : undefined,
      pkce: setup.pkce,
      state: true,
      store: setup.store as never,
      passReqToCallback: true,
      skipUserProfile: true,
    },
    // passport-oauth2 passes the token response (`params`) to a verify of six arguments.
    ((
      request: { flow?: OAuthFlow },
      accessToken: string,
      _refreshToken: string,
      params: Record<string, unknown>,
      _profile: unknown,
      done: VerifyCallback,
    ) => {
      options.read({ accessToken, params, flow: request.flow }).then(
        (profile) => done(null, profile),
        (error: Error) => done(error),
      );
    }) as never,
  );
  if (options.authorizationParams) {
    strategy.authorizationParams = (startOptions: object) =>
      options.authorizationParams?.(startOptions) ?? {};
  }
  return strategy;
}

/** GET a JSON profile with the access token in the Authorization header (never the URL). */
export async function fetchProfile(url: string, accessToken: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(PROFILE_TIMEOUT_MS),
    });
  } catch {
    throw new ProviderFailure('AUTH_OAUTH_PROFILE_UNREADABLE', 'the profile call failed');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok || typeof body !== 'object' || body === null) {
    throw new ProviderFailure(
      'AUTH_OAUTH_PROFILE_UNREADABLE',
      `the profile call answered ${response.status}`,
    );
  }
  return body;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
