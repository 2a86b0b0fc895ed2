import { createRemoteJWKSet, jwtVerify } from 'jose';
import { plainOAuth2Strategy } from './oauth2-strategy.js';
import {
  normalEmail,
  ProviderFailure,
  shortText,
  type ProviderDefinition,
} from './provider-definition.js';

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Microsoft identity platform v2.0 (school and work accounts): OpenID Connect's code flow with
 * PKCE, the ID token verified here (keys, audience, nonce, and the issuer of the user's own
 * tenant, `{authority}/{tid}/v2.0`). The subject is (tid, oid); the email counts as verified
 * only when a school lists its domain in `microsoft_domains` and the account's `tid` in
 * `microsoft_tenant_ids`: Entra lets anyone add any domain, unverified, to a tenant of their
 * own, so the domain alone proves nothing.
 */
export const microsoft: ProviderDefinition = {
  id: 'microsoft',
  displayName: 'Microsoft',
  client: (config) => ({
    clientID: config.get('MICROSOFT_CLIENT_ID') ?? '',
    clientSecret: config.get('MICROSOFT_CLIENT_SECRET') ?? '',
    callbackURL: config.get('MICROSOFT_CALLBACK_URL'),
  }),
  scopes: ['openid', 'profile', 'email'],
  pkce: true,
  nonce: true,
  emailRule: 'school-domain',
  schoolDomains: 'microsoft_domains',
  schoolDirectories: 'microsoft_tenant_ids',
  strategy: (setup, config) => {
    const authority = config.get('MICROSOFT_AUTHORITY_URL');
    const tenant = config.get('MICROSOFT_TENANT');
    const keys = createRemoteJWKSet(new URL(`${authority}/${tenant}/discovery/v2.0/keys`));
    return plainOAuth2Strategy(setup, {
      authorizationURL: `${authority}/${tenant}/oauth2/v2.0/authorize`,
      tokenURL: `${authority}/${tenant}/oauth2/v2.0/token`,
      authorizationParams: ({ nonce }): Record<string, string> => (nonce ? { nonce } : {}),
      read: async ({ params, flow }) => {
        const verified =
          typeof params.id_token === 'string'
            ? await jwtVerify(params.id_token, keys, { audience: setup.clientID }).catch(
                () => undefined,
              )
            : undefined;
        const claims = verified?.payload ?? {};
        const { tid, oid } = claims;
        if (
          typeof tid !== 'string' ||
          typeof oid !== 'string' ||
          claims.iss !== `${authority}/${tid}/v2.0` ||
          (TENANT_ID.test(tenant) && tid.toLowerCase() !== tenant.toLowerCase()) ||
          !flow?.nonce ||
          claims.nonce !== flow.nonce
        ) {
          throw new ProviderFailure('AUTH_OAUTH_ID_TOKEN_INVALID', 'Microsoft id_token refused');
        }
        const email = normalEmail(claims.email) ?? normalEmail(claims.preferred_username);
        return {
          subject: `${tid}:${oid}`,
          email,
          email_verified: false,
          name: shortText(claims.name),
          picture: null,
          domain: email?.split('@')[1] ?? null,
          directory: tid.toLowerCase(),
        };
      },
    });
  },
};
