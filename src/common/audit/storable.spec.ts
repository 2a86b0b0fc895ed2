import { describe, expect, it } from '@jest/globals';
import { storableJson, storableText } from './storable.js';

describe('storable audit values', () => {
  it('should write NUL and lone surrogates out as escape text', () => {
    expect(storableText('a\u0000b')).toBe('a\\u0000b');
    expect(storableText('\ud800')).toBe('\\ud800');
    expect(storableText('x\udc00y')).toBe('x\\udc00y');
    expect(storableText('\udc00\ud800')).toBe('\\udc00\\ud800');
  });

  it('should keep ordinary text and valid surrogate pairs as they are', () => {
    expect(storableText('Mozilla/5.0 (X11)')).toBe('Mozilla/5.0 (X11)');
    expect(storableText('한글 🎓')).toBe('한글 🎓');
  });

  it('should cut to the limit without splitting a surrogate pair', () => {
    expect(storableText('ab🎓', 3)).toBe('ab');
    expect(storableText('ab🎓', 4)).toBe('ab🎓');
    expect(storableText('\u0000', 3)).toBe('\\u0');
  });

  it('should clean every string of a JSON value, keys included', () => {
    const value = {
      params: { id: '\u0000' },
      body: { 'na\u0000me': ['ok', '\ud800'], nested: { deep: 'x\udfff' } },
      count: 3n,
      ok: true,
    };
    const clean = storableJson(value);
    expect(clean).toEqual({
      params: { id: '\\u0000' },
      body: { 'na\\u0000me': ['ok', '\\ud800'], nested: { deep: 'x\\udfff' } },
      count: '3',
      ok: true,
    });
  });

  it('should return a clean value untouched, and keep a __proto__ key a plain key', () => {
    const value = { route: '/x', list: [1, 'a'] };
    expect(storableJson(value)).toBe(value);
    const hostile = JSON.parse('{"__proto__": {"admin": true}, "x": "\\u0000"}') as object;
    const clean = storableJson(hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
    expect(Object.keys(clean)).toEqual(['__proto__', 'x']);
  });
});
