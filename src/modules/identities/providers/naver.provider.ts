import { fetchProfile, isRecord, plainOAuth2Strategy } from './oauth2-strategy.js';
import {
  httpsUrl,
  normalEmail,
  ProviderFailure,
  shortText,
  type ProviderDefinition,
} from './provider-definition.js';

/**
 * Naver Login: plain OAuth2 (no PKCE at Naver) and /v1/nid/me, whose `resultcode` must be
 * "00". Naver does not say the email is verified: it never links by email.
 */
export const naver: ProviderDefinition = {
  id: 'naver',
  displayName: 'Naver',
  client: (config) => ({
    clientID: config.get('NAVER_CLIENT_ID') ?? '',
    clientSecret: config.get('NAVER_CLIENT_SECRET') ?? '',
    callbackURL: config.get('NAVER_CALLBACK_URL'),
  }),
  scopes: [],
  pkce: false,
  emailRule: 'never',
  strategy: (setup, config) =>
    plainOAuth2Strategy(setup, {
      authorizationURL: config.get('NAVER_AUTHORIZATION_URL'),
      tokenURL: config.get('NAVER_TOKEN_URL'),
      read: async ({ accessToken }) => {
        const me = await fetchProfile(config.get('NAVER_PROFILE_URL'), accessToken);
        const person = isRecord(me) && isRecord(me.response) ? me.response : undefined;
        if (!isRecord(me) || me.resultcode !== '00' || typeof person?.id !== 'string') {
          throw new ProviderFailure('AUTH_OAUTH_PROFILE_UNREADABLE', 'Naver refused the profile');
        }
        return {
          subject: person.id,
          email: normalEmail(person.email),
          email_verified: false,
          name: shortText(person.name) ?? shortText(person.nickname),
          picture: httpsUrl(person.profile_image),
        };
      },
    }),
};
