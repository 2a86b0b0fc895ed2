import { describe, expect, it } from '@jest/globals';
import { redactUrl } from '../../../common/observability/log-redaction.js';
import { providerMessage } from '../identities.errors.js';
import { IDENTITY_PROVIDERS } from '../identity.entity.js';
import { PROVIDER_DEFINITIONS } from './index.js';

describe('the provider definitions', () => {
  it('should be the identity providers, once each', () => {
    expect(PROVIDER_DEFINITIONS.map((definition) => definition.id)).toEqual([
      ...IDENTITY_PROVIDERS,
    ]);
  });

  it('should let only providers that vouch for an address link by it', () => {
    const rules = Object.fromEntries(
      PROVIDER_DEFINITIONS.map((definition) => [definition.id, definition.emailRule]),
    );
    expect(rules).toEqual({
      google: 'provider',
      kakao: 'provider',
      naver: 'never',
      microsoft: 'school-domain',
    });
  });

  it.each(PROVIDER_DEFINITIONS.map((definition) => [definition.id]))(
    'should keep the code and state of a %s callback out of the request log',
    (id) => {
      expect(redactUrl(`/api/v1/auth/${id}/callback?code=abc&state=xyz`)).toBe(
        `/api/v1/auth/${id}/callback?code=[redacted]&state=[redacted]`,
      );
    },
  );
});

describe('providerMessage', () => {
  it('should name the provider in the landing page text', () => {
    expect(providerMessage('AUTH_OAUTH_DENIED', 'Kakao')).toBe(
      'The sign-in was cancelled at Kakao',
    );
    expect(providerMessage('AUTH_OAUTH_PROFILE_UNREADABLE', 'Naver')).toBe(
      "Naver's profile could not be read: try again",
    );
    expect(providerMessage('AUTH_OAUTH_STATE_INVALID', 'Naver')).not.toMatch(/Naver/);
  });
});
