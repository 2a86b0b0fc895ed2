import { describe, expect, it } from '@jest/globals';
import { parseLinkHeader } from './lti-service-client.js';
import { platformMessageOf } from './lti-service-error.js';

describe('parseLinkHeader', () => {
  it('should read next and differences links, with or without quotes and spaces', () => {
    expect(
      parseLinkHeader(
        '<https://lms.test/m?from=2&limit=100>; rel="next", <https://lms.test/m?since=7>;rel=differences',
      ),
    ).toEqual({
      next: 'https://lms.test/m?from=2&limit=100',
      differences: 'https://lms.test/m?since=7',
    });
  });

  it('should keep commas inside a URL and read several relations of one link', () => {
    expect(parseLinkHeader('<https://lms.test/m?ids=1,2,3>; rel="next last"')).toEqual({
      next: 'https://lms.test/m?ids=1,2,3',
      last: 'https://lms.test/m?ids=1,2,3',
    });
  });

  it('should answer nothing for a missing or malformed header', () => {
    expect(parseLinkHeader(null)).toEqual({});
    expect(parseLinkHeader('https://lms.test/m; rel=next')).toEqual({});
    expect(parseLinkHeader('<https://lms.test/m>')).toEqual({});
  });
});

describe('platformMessageOf', () => {
  it.each([
    ['{"error":"invalid_client","error_description":"assertion expired"}', 'assertion expired'],
    ['{"errors":{"type":"unauthorized","message":"Invalid access token"}}', 'Invalid access token'],
    ['{"message":"Grades are locked"}', 'Grades are locked'],
    ['{"error":"invalid_scope"}', 'invalid_scope'],
    ['<html>Bad Gateway</html>', '<html>Bad Gateway</html>'],
    ['   ', null],
  ])('should read %s as %s', (body, message) => {
    expect(platformMessageOf(body)).toBe(message);
  });

  it('should bound what it keeps', () => {
    expect(platformMessageOf('x'.repeat(5000))).toHaveLength(500);
  });
});
