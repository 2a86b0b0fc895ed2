import { describe, expect, it } from '@jest/globals';
import { redactLogLine, redactSecrets, redactUrl } from './log-redaction.js';

describe('redactSecrets', () => {
  it('should replace secret-looking keys at any depth', () => {
    expect(
      redactSecrets({
        email: 'a@b.c',
        password: 'x',
        profile: { refresh_token: 'y', apiKey: 'z', name: 'n' },
        list: [{ client_secret: 's' }],
      }),
    ).toEqual({
      email: 'a@b.c',
      password: '[redacted]',
      profile: { refresh_token: '[redacted]', apiKey: '[redacted]', name: 'n' },
      list: [{ client_secret: '[redacted]' }],
    });
  });

  it('should bound long strings, long arrays and deep nesting', () => {
    const result = redactSecrets({
      text: 'a'.repeat(500),
      items: Array.from({ length: 50 }, (_, i) => i),
    }) as {
      text: string;
      items: number[];
    };
    expect(result.text.length).toBeLessThanOrEqual(201);
    expect(result.items).toHaveLength(20);
    expect(redactSecrets({ a: { b: { c: { d: { e: { f: 1 } } } } } })).toEqual({
      a: { b: { c: { d: { e: '[truncated]' } } } },
    });
  });
});

describe('redactLogLine', () => {
  it('should hide secrets at the top level, one level down and in headers', () => {
    const line = {
      msg: 'x',
      password: 'p',
      body: { email: 'a@b.c', refresh_token: 't' },
      req: {
        method: 'GET',
        headers: { authorization: 'Bearer abc', cookie: 'sid=1', accept: '*/*' },
      },
    };
    expect(redactLogLine(line)).toEqual({
      msg: 'x',
      password: '[redacted]',
      body: { email: 'a@b.c', refresh_token: '[redacted]' },
      req: {
        method: 'GET',
        headers: { authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' },
      },
    });
    expect(line.password).toBe('p');
  });

  it('should return the same object when there is nothing to hide', () => {
    const line = { msg: 'request completed', res: { status_code: 200 }, request_id: 'r' };
    expect(redactLogLine(line)).toBe(line);
  });
});

describe('redactUrl', () => {
  it('should hide OAuth codes, state and token-like query values, and keep the rest', () => {
    expect(redactUrl('/api/v1/auth/google/callback?code=abc&state=xyz&scope=email')).toBe(
      '/api/v1/auth/google/callback?code=[redacted]&state=[redacted]&scope=email',
    );
    expect(redactUrl('/x?access_token=t&page=2')).toBe('/x?access_token=[redacted]&page=2');
    expect(redactUrl('/api/v1/users?limit=10')).toBe('/api/v1/users?limit=10');
    expect(redactUrl('/plain')).toBe('/plain');
  });
});
