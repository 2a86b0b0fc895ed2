import {
  Strategy as GoogleStrategy,
  type GoogleCallbackParameters,
  type Profile,
  type VerifyCallback,
} from 'passport-google-oauth20';
import type { ProviderDefinition, ProviderProfile } from './provider-definition.js';

/** Google (or any OpenID provider: see GOOGLE_*_URL), through passport-google-oauth20. */
export const google: ProviderDefinition = {
  id: 'google',
  displayName: 'Google',
  client: (config) => ({
    clientID: config.get('GOOGLE_CLIENT_ID') ?? '',
    clientSecret: config.get('GOOGLE_CLIENT_SECRET') ?? '',
    callbackURL: config.get('GOOGLE_CALLBACK_URL'),
  }),
  scopes: ['openid', 'email', 'profile'],
  pkce: true,
  emailRule: 'provider',
  schoolDomains: 'google_domains',
  strategy: (setup, config) => {
    const strategy = new GoogleStrategy(
      {
        ...setup,
        authorizationURL: config.get('GOOGLE_AUTHORIZATION_URL'),
        tokenURL: config.get('GOOGLE_TOKEN_URL'),
        userProfileURL: config.get('GOOGLE_USERINFO_URL'),
        store: setup.store as never,
      },
      (
        _access: string,
        _refresh: string,
        _params: GoogleCallbackParameters,
        profile: Profile,
        done: VerifyCallback,
      ) => done(null, readGoogleProfile(profile)),
    );
    // Strict providers refuse an access token in the query string.
    (
      strategy as unknown as { _oauth2: { useAuthorizationHeaderforGET(on: boolean): void } }
    )._oauth2.useAuthorizationHeaderforGET(true);
    return strategy;
  },
};

function readGoogleProfile(profile: Profile): ProviderProfile {
  const claims = (profile._json ?? {}) as Record<string, unknown>;
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null;
  return {
    subject: typeof claims.sub === 'string' ? claims.sub : profile.id,
    email: email && email.length <= 254 ? email : null,
    // Some providers send the claim as a string.
    email_verified: claims.email_verified === true || claims.email_verified === 'true',
    name: typeof claims.name === 'string' ? claims.name.slice(0, 100) : null,
    picture: typeof claims.picture === 'string' ? claims.picture.slice(0, 2048) : null,
    domain: typeof claims.hd === 'string' ? claims.hd.toLowerCase() : null,
  };
}
