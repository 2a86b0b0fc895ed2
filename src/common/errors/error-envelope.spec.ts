import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from '@jest/globals';
import { AppException } from './app.exception.js';
import { registerErrorCodes } from './error-codes.js';
import { resolveError } from './error-envelope.js';

describe('resolveError', () => {
  it('should map an AppException to its registered status with its details', () => {
    registerErrorCodes({ TEST_THING_LOCKED: { status: 423, message: 'Thing is locked' } });
    const resolved = resolveError(
      new AppException('TEST_THING_LOCKED', undefined, { until: 'x' }),
      'rid-1',
    );
    expect(resolved.status).toBe(423);
    expect(resolved.envelope).toEqual({
      error_code: 'TEST_THING_LOCKED',
      message: 'Thing is locked',
      details: { until: 'x' },
      timestamp: expect.any(String),
      request_id: 'rid-1',
    });
  });

  it('should refuse to throw an unregistered code', () => {
    expect(() => new AppException('NOT_A_CODE')).toThrow(/registerErrorCodes/);
  });

  it('should refuse to register a code twice with another status', () => {
    expect(() =>
      registerErrorCodes({ COMMON_NOT_FOUND: { status: 410, message: 'gone' } }),
    ).toThrow();
  });

  it('should keep Nest 4xx messages and map their status to a common code', () => {
    expect(resolveError(new NotFoundException('Cannot GET /x'), 'r').envelope).toMatchObject({
      error_code: 'COMMON_NOT_FOUND',
      message: 'Cannot GET /x',
    });
    expect(resolveError(new BadRequestException(['a', 'b']), 'r').envelope.message).toBe('a; b');
  });

  it('should map Fastify body errors wrapped by Nest to their codes', () => {
    const cause = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });
    const resolved = resolveError(new HttpException(cause.message, 413, { cause }), 'r');
    expect(resolved.status).toBe(413);
    expect(resolved.envelope.error_code).toBe('COMMON_PAYLOAD_TOO_LARGE');
  });

  it('should hide the message of unexpected errors and of 5xx HttpExceptions', () => {
    const plain = resolveError(new Error('db password=hunter2'), 'r');
    expect(plain.status).toBe(500);
    expect(plain.unexpected).toBe(true);
    expect(plain.envelope.message).toBe('An unexpected error occurred');
    const http = resolveError(new HttpException('upstream 10.0.0.1 down', 502), 'r');
    expect(http.envelope.message).not.toContain('10.0.0.1');
  });
});
