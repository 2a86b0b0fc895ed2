import { describe, expect, it } from '@jest/globals';
import { redactSecrets } from './log-redaction.js';

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
    const result = redactSecrets({ text: 'a'.repeat(500), items: Array.from({ length: 50 }, (_, i) => i) }) as {
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
