import { describe, expect, it } from '@jest/globals';
import { frontendPath, frontendUrlFor } from './frontend-redirect.js';

describe('frontendPath', () => {
  const frontend = 'https://app.dreamseed.test';

  it('should accept a path on the web app, with query and fragment', () => {
    expect(frontendPath('/classes/42?tab=grades#top', frontend)).toBe('/classes/42?tab=grades#top');
    expect(frontendPath('https://app.dreamseed.test/home', frontend)).toBe('/home');
  });

  it.each([
    'https://evil.test/phish',
    '//evil.test/phish',
    '/\\evil.test',
    '\\\\evil.test',
    'javascript:alert(1)',
    'https://app.dreamseed.test.evil.test/x',
    'https://app.dreamseed.test@evil.test/x',
    'http://app.dreamseed.test/x',
    'classes/42',
    '/a\u0000b',
    '',
    `/${'a'.repeat(600)}`,
    '/.//evil.example/',
    '/..//evil.example/',
    '/x/..//evil.example/',
    '/%2e//evil.example/',
    '/%2E%2E//evil.example/',
    '/%5c/evil.example/',
    '/%5C%5Cevil.example/',
    '/%2f/evil.example/',
    '/%2F%2Fevil.example/',
    '/x/%2e%2e//evil.example/',
    '/%zz',
  ])('should refuse %j', (redirect) => {
    expect(frontendPath(redirect, frontend)).toBeUndefined();
  });

  it('should keep to the base path when the web app lives under one', () => {
    expect(frontendPath('/app/home', 'https://school.test/app')).toBe('/app/home');
    expect(frontendPath('/admin', 'https://school.test/app')).toBeUndefined();
    expect(frontendPath('/app/../admin', 'https://school.test/app')).toBeUndefined();
    expect(frontendPath('/app/.//evil.test', 'https://school.test/app')).toBe('/app//evil.test');
  });

  it('should hand the web app the normalised path', () => {
    expect(frontendPath('/a/./b/../c?x=1', frontend)).toBe('/a/c?x=1');
    expect(frontendPath('/', frontend)).toBe('/');
  });
});

describe('frontendUrlFor', () => {
  it('should join the base and path and encode parameters', () => {
    expect(
      frontendUrlFor('https://app.test/', '/auth/callback', { code: 'a b', redirect: undefined }),
    ).toBe('https://app.test/auth/callback?code=a+b');
  });

  it('should put fragment parameters after the query, and no # when there are none', () => {
    expect(
      frontendUrlFor(
        'https://app.test',
        '/auth/callback',
        { error: 'AUTH_OAUTH_DENIED' },
        { error: 'AUTH_OAUTH_DENIED', none: undefined },
      ),
    ).toBe('https://app.test/auth/callback?error=AUTH_OAUTH_DENIED#error=AUTH_OAUTH_DENIED');
    expect(frontendUrlFor('https://app.test', '/auth/callback', {}, { error: undefined })).toBe(
      'https://app.test/auth/callback',
    );
  });
});
