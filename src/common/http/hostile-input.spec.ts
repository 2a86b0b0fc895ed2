import { describe, expect, it } from '@jest/globals';
import { findInvalidText, hasInvalidCharacters, jsonDepthExceeds } from './hostile-input.js';

const nested = (depth: number): string => `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;

describe('jsonDepthExceeds', () => {
  it('should allow nesting up to the limit and refuse one level more', () => {
    expect(jsonDepthExceeds('[[[1]]]', 3)).toBe(false);
    expect(jsonDepthExceeds('[[[[1]]]]', 3)).toBe(true);
    expect(jsonDepthExceeds(nested(16), 32)).toBe(false);
    expect(jsonDepthExceeds(nested(17), 32)).toBe(true);
  });

  it('should count siblings once, not add them up', () => {
    expect(jsonDepthExceeds(JSON.stringify({ a: [1], b: [2], c: { d: [3] } }), 3)).toBe(false);
  });

  it('should ignore brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ text: '[[[[{{{{' }), 1)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ text: 'say "[[[[" \\' }), 1)).toBe(false);
    expect(jsonDepthExceeds(`{"a":"\\"","b":[[[]]]}`, 3)).toBe(true);
  });

  it('should refuse 100,000 levels in well under a millisecond', () => {
    const body = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    // The fastest of many runs: the machine is shared, so a single run may be descheduled.
    const runs = Array.from({ length: 50 }, () => {
      const started = process.hrtime.bigint();
      expect(jsonDepthExceeds(body, 32)).toBe(true);
      return Number(process.hrtime.bigint() - started) / 1000;
    });
    expect(Math.min(...runs)).toBeLessThan(1000);
  });
});

describe('hasInvalidCharacters', () => {
  it.each([
    ['a NUL', 'a\u0000b'],
    ['a lone high surrogate', 'x\ud800'],
    ['a lone low surrogate', '\udc00x'],
    ['two high surrogates', '\ud800\ud800\udc00'],
  ])('should find %s', (_label, text) => {
    expect(hasInvalidCharacters(text)).toBe(true);
  });

  it('should accept paired surrogates, Hangul and control characters other than NUL', () => {
    expect(hasInvalidCharacters('🌱 김민지 \t\n\u202e')).toBe(false);
  });
});

describe('findInvalidText', () => {
  it('should name the first field, nested or in an array, or a key', () => {
    expect(findInvalidText({ name: 'ok', tag: { label: 'x\ud800' } }, '')).toBe('tag.label');
    expect(findInvalidText({ items: ['a', 'b\u0000'] }, '')).toBe('items[1]');
    expect(findInvalidText({ ['k\u0000']: 1 }, '')).toBe('k\\u0000');
    expect(findInvalidText('\udc00', '')).toBe('');
    expect(findInvalidText({ ok: ['a', { b: 1, c: null }] }, '')).toBeUndefined();
  });

  it('should walk 100,000 levels without overflowing the stack', () => {
    let deep: unknown = 'x\u0000';
    for (let level = 0; level < 100_000; level += 1) {
      deep = [deep];
    }
    expect(findInvalidText(deep, '')).toMatch(/^(\[0\]){100000}$/);
  });
});
