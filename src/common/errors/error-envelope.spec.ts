import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from '@jest/globals';
import { AppException } from './app.exception.js';
import { AUTH_ERROR_CODES } from '../../modules/auth/auth.errors.js';
import { registerErrorCodes, type AppErrorCode } from './error-codes.js';
import { resolveError } from './error-envelope.js';

describe('resolveError', () => {
  it('should map an AppException to its registered status with its details', () => {
    // Outside the Nest container no module file ran, so the test registers the codes it throws.
    registerErrorCodes(AUTH_ERROR_CODES);
    const resolved = resolveError(
      new AppException('AUTH_ACCOUNT_LOCKED', undefined, { until: 'x' }),
      'rid-1',
    );
    expect(resolved.status).toBe(423);
    expect(resolved.envelope).toEqual({
      error_code: 'AUTH_ACCOUNT_LOCKED',
      message: AUTH_ERROR_CODES.AUTH_ACCOUNT_LOCKED.message,
      details: { until: 'x' },
      timestamp: expect.any(String),
      request_id: 'rid-1',
    });
  });

  it('should refuse to throw an unregistered code that slipped past the type check', () => {
    expect(() => new AppException('NOT_A_CODE' as AppErrorCode)).toThrow(/registerErrorCodes/);
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
