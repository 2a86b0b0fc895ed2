import { describe, expect, it } from '@jest/globals';
import type { AppException } from '../errors/app.exception.js';
import { InvalidCharactersPipe } from './invalid-characters.pipe.js';

describe('InvalidCharactersPipe', () => {
  const pipe = new InvalidCharactersPipe();

  const refusal = (run: () => unknown): AppException => {
    try {
      run();
    } catch (error) {
      return error as AppException;
    }
    throw new Error('not refused');
  };

  it('should name the field and where it came from', () => {
    const error = refusal(() => pipe.transform('a\u0000b', { type: 'param', data: 'id' }));
    expect(error.code).toBe('COMMON_INVALID_CHARACTERS');
    expect(error.details).toEqual({
      fields: [{ field: 'id', location: 'path', errors: [expect.any(String)] }],
    });
    const query = refusal(() => pipe.transform({ q: 'x', action: '\ud800' }, { type: 'query' }));
    expect(query.details).toMatchObject({ fields: [{ field: 'action', location: 'query' }] });
    const body = refusal(() => pipe.transform({ tag: { label: '\udc00' } }, { type: 'body' }));
    expect(body.details).toMatchObject({ fields: [{ field: 'tag.label', location: 'body' }] });
    const whole = refusal(() => pipe.transform('\ud800', { type: 'body' }));
    expect(whole.details).toMatchObject({ fields: [{ field: 'body', location: 'body' }] });
  });

  it('should pass clean values through unchanged, and leave custom decorators alone', () => {
    const value = { name: '🌱 김민지', tags: ['a', 'b'], n: 1 };
    expect(pipe.transform(value, { type: 'body' })).toBe(value);
    expect(pipe.transform('a\u0000b', { type: 'custom' })).toBe('a\u0000b');
  });
});
