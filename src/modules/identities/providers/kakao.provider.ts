import { createRemoteJWKSet, jwtVerify } from 'jose';
import { fetchProfile, isRecord, plainOAuth2Strategy } from './oauth2-strategy.js';
import {
  httpsUrl,
  normalEmail,
  ProviderFailure,
  shortText,
  type ProviderDefinition,
} from './provider-definition.js';

const KAKAO_ISSUER = 'https://kauth.kakao.com';

/**
 * Kakao Login: plain OAuth2 (passport-kakao re-points its URLs and reads a placeholder name),
 * the profile from /v2/user/me, and Kakao's id_token (OpenID Connect on) checked when sent.
 */
export const kakao: ProviderDefinition = {
  id: 'kakao',
  displayName: 'Kakao',
  client: (config) => ({
    clientID: config.get('KAKAO_CLIENT_ID') ?? '',
    clientSecret: config.get('KAKAO_CLIENT_SECRET') ?? '',
    callbackURL: config.get('KAKAO_CALLBACK_URL'),
  }),
  scopes: ['openid', 'profile_nickname', 'profile_image', 'account_email'],
  pkce: true,
  nonce: true,
  emailRule: 'provider',
  strategy: (setup, config) => {
    const keys = createRemoteJWKSet(new URL(config.get('KAKAO_JWKS_URL')));
    return plainOAuth2Strategy(setup, {
      authorizationURL: config.get('KAKAO_AUTHORIZATION_URL'),
      tokenURL: config.get('KAKAO_TOKEN_URL'),
      authorizationParams: ({ nonce }): Record<string, string> => (nonce ? { nonce } : {}),
      read: async ({ accessToken, params, flow }) => {
        const me = await fetchProfile(config.get('KAKAO_PROFILE_URL'), accessToken);
        const id = isRecord(me) ? me.id : undefined;
        if (typeof id !== 'number' && typeof id !== 'string') {
          throw new ProviderFailure('AUTH_OAUTH_PROFILE_UNREADABLE', 'no id in the Kakao profile');
        }
        const subject = String(id);
        if (typeof params.id_token === 'string') {
          const token = await jwtVerify(params.id_token, keys, {
            issuer: KAKAO_ISSUER,
            audience: setup.clientID,
          }).catch(() => undefined);
          if (!token || token.payload.sub !== subject || token.payload.nonce !== flow?.nonce) {
            throw new ProviderFailure('AUTH_OAUTH_ID_TOKEN_INVALID', 'Kakao id_token refused');
          }
        }
        const account = isRecord(me) && isRecord(me.kakao_account) ? me.kakao_account : {};
        const profile = isRecord(account.profile) ? account.profile : {};
        const properties = isRecord(me) && isRecord(me.properties) ? me.properties : {};
        return {
          subject,
          email: normalEmail(account.email),
          email_verified: account.is_email_valid === true && account.is_email_verified === true,
          name: shortText(profile.nickname) ?? shortText(properties.nickname),
          picture: profile.is_default_image === true ? null : httpsUrl(profile.profile_image_url),
        };
      },
    });
  },
};
