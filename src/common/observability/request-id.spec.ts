import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { requestIdFor } from './request-id.js';

const withHeader = (value?: string | string[]) =>
  ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as unknown as IncomingMessage;

describe('requestIdFor', () => {
  it('should keep a well-formed caller id', () => {
    expect(requestIdFor(withHeader('abc-123_XYZ.9:1'))).toBe('abc-123_XYZ.9:1');
  });

  it.each([
    undefined,
    'short',
    'x'.repeat(129),
    'has space inside',
    'semi;colon123',
    '\u00e9t\u00e9-unicode',
  ])('should generate a UUID instead of %p', (value) => {
    expect(requestIdFor(withHeader(value))).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('should use the first of repeated headers', () => {
    expect(requestIdFor(withHeader(['first-id-123', 'second-id-456']))).toBe('first-id-123');
  });
});
