import { describe, expect, it } from '@jest/globals';
import { AppException } from '../../../common/errors/app.exception.js';
import { registerErrorCodes } from '../../../common/errors/error-codes.js';
import { LTI_LAUNCH_ERROR_CODES } from '../lti.errors.js';
import { readDeepLinkingSettings } from './deep-linking-settings.js';

registerErrorCodes(LTI_LAUNCH_ERROR_CODES);

const CLAIM = 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings';

const refusal = (value: unknown) => {
  try {
    readDeepLinkingSettings(value);
  } catch (error) {
    return error instanceof AppException ? { code: error.code, details: error.details } : error;
  }
  return undefined;
};

describe('readDeepLinkingSettings', () => {
  const valid = { deep_link_return_url: 'https://lms.test/return', accept_types: ['link'] };

  it('should read the defaults of what the platform left out', () => {
    expect(readDeepLinkingSettings(valid)).toEqual({
      deepLinkReturnUrl: 'https://lms.test/return',
      acceptTypes: ['link'],
      acceptMultiple: true,
      acceptPresentationDocumentTargets: [],
      acceptLineItem: null,
      autoCreate: null,
      title: null,
      text: null,
      data: undefined,
    });
  });

  it('should keep data exactly, whatever its shape', () => {
    const data = { csrf: 'x', n: [1, 2] };
    expect(readDeepLinkingSettings({ ...valid, data }).data).toBe(data);
  });

  it('should take accept_multiple false and accept_lineitem false as said', () => {
    expect(
      readDeepLinkingSettings({ ...valid, accept_multiple: false, accept_lineitem: false }),
    ).toMatchObject({ acceptMultiple: false, acceptLineItem: false });
  });

  it.each([
    [null, CLAIM],
    [[], CLAIM],
    [{ accept_types: ['link'] }, `${CLAIM}#deep_link_return_url`],
    [{ ...valid, deep_link_return_url: '/relative' }, `${CLAIM}#deep_link_return_url`],
    [{ ...valid, deep_link_return_url: 'ftp://lms.test/r' }, `${CLAIM}#deep_link_return_url`],
    [{ ...valid, accept_types: [] }, `${CLAIM}#accept_types`],
    [{ ...valid, accept_types: 'link' }, `${CLAIM}#accept_types`],
    [{ ...valid, accept_types: ['link', 3] }, `${CLAIM}#accept_types`],
  ])('should refuse %j naming %s', (value, claim) => {
    expect(refusal(value)).toEqual({ code: 'LTI_CLAIM_MISSING', details: { claim } });
  });
});
