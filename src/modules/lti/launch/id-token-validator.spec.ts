import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { JWK } from 'jose';
import { registerErrorCodes } from '../../../common/errors/error-codes.js';
import { LTI_LAUNCH_ERROR_CODES } from '../lti.errors.js';
import { verifyIdToken } from './id-token-validator.js';
import { readLaunchMessage } from './launch-message.js';

registerErrorCodes(LTI_LAUNCH_ERROR_CODES);

interface SignedLaunch {
  iss: string;
  jwks: { keys: JWK[] };
  id_token: string;
}

// Real launches signed by Canvas and the 1EdTech reference implementation (test/fixtures/lti).
const FIXTURES = JSON.parse(
  readFileSync(
    new URL('../../../../test/fixtures/lti/signed-launches.json', import.meta.url),
    'utf8',
  ),
) as Record<string, SignedLaunch>;

const ALL_MESSAGE_TYPES = [
  'LtiResourceLinkRequest',
  'LtiDeepLinkingRequest',
  'DataPrivacyLaunchRequest',
  'LtiSubmissionReviewRequest',
];

function payloadOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

async function verifyFixture(name: string) {
  const fixture = FIXTURES[name];
  const payload = payloadOf(fixture.id_token);
  const aud = payload.aud as string | string[];
  const claims = await verifyIdToken(
    fixture.id_token,
    (kid) => Promise.resolve(fixture.jwks.keys.find((key) => key.kid === kid)),
    {
      issuer: fixture.iss,
      clientId: Array.isArray(aud) ? aud[0] : aud,
      now: new Date((payload.iat as number) * 1000),
    },
  );
  return { claims, message: readLaunchMessage(claims, ALL_MESSAGE_TYPES) };
}

describe('verifyIdToken on launches signed by real platforms', () => {
  it.each(['test_deep_link', 'test_privacy_launch', 'test_submission_review_launch'])(
    'should accept %s at its own time',
    async (name) => {
      const { claims, message } = await verifyFixture(name);
      expect(claims.iss).toBe(FIXTURES[name].iss);
      expect(message.messageType).toBe(
        payloadOf(FIXTURES[name].id_token)[
          'https://purl.imsglobal.org/spec/lti/claim/message_type'
        ],
      );
      expect(message.roles.length).toBeGreaterThan(0);
    },
  );

  it("should refuse Canvas's launch signed with a 512-bit key", async () => {
    await expect(verifyFixture('test_resource_link')).rejects.toMatchObject({
      code: 'LTI_KEY_TOO_WEAK',
      details: { bits: 512 },
    });
  });

  it('should refuse a real launch an hour and two minutes after it was issued', async () => {
    const fixture = FIXTURES.test_deep_link;
    const payload = payloadOf(fixture.id_token);
    await expect(
      verifyIdToken(
        fixture.id_token,
        (kid) => Promise.resolve(fixture.jwks.keys.find((k) => k.kid === kid)),
        {
          issuer: fixture.iss,
          clientId: payload.aud as string,
          now: new Date(((payload.exp as number) + 61) * 1000),
        },
      ),
    ).rejects.toMatchObject({ code: 'LTI_TOKEN_EXPIRED' });
  });

  it('should refuse a real launch presented to another tool', async () => {
    const fixture = FIXTURES.test_privacy_launch;
    const payload = payloadOf(fixture.id_token);
    await expect(
      verifyIdToken(
        fixture.id_token,
        (kid) => Promise.resolve(fixture.jwks.keys.find((k) => k.kid === kid)),
        {
          issuer: fixture.iss,
          clientId: 'another-tool',
          now: new Date((payload.iat as number) * 1000),
        },
      ),
    ).rejects.toMatchObject({ code: 'LTI_AUDIENCE_MISMATCH' });
  });

  it('should refuse a real launch whose signature was altered', async () => {
    const fixture = FIXTURES.test_privacy_launch;
    const [header, , signature] = fixture.id_token.split('.');
    const altered = JSON.stringify({ ...payloadOf(fixture.id_token), sub: 'someone-else' });
    const token = [header, Buffer.from(altered).toString('base64url'), signature].join('.');
    await expect(
      verifyIdToken(token, (kid) => Promise.resolve(fixture.jwks.keys.find((k) => k.kid === kid)), {
        issuer: fixture.iss,
        clientId: payloadOf(fixture.id_token).aud as string,
        now: new Date((payloadOf(fixture.id_token).iat as number) * 1000),
      }),
    ).rejects.toMatchObject({ code: 'LTI_SIGNATURE_INVALID' });
  });
});
