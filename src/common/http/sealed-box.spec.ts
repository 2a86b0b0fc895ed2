import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { readCookie, serializeCookie } from './cookies.js';
import { SealedBox } from './sealed-box.js';

describe('SealedBox', () => {
  const box = new SealedBox(randomBytes(32));

  it('should open what it sealed', () => {
    expect(box.open(box.seal({ state: 'abc', n: 1 }))).toEqual({ state: 'abc', n: 1 });
  });

  it('should refuse a changed byte, another key, and garbage', () => {
    const sealed = box.seal({ user: 'u1' });
    const raw = Buffer.from(sealed, 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(box.open(raw.toString('base64url'))).toBeUndefined();
    expect(new SealedBox(randomBytes(32)).open(sealed)).toBeUndefined();
    expect(box.open('not-sealed')).toBeUndefined();
    expect(box.open(undefined)).toBeUndefined();
  });

  it('should not show the sealed value in the output', () => {
    const sealed = box.seal({ verifier: 'plain-verifier-text' });
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('plain-verifier');
  });
});

describe('cookies', () => {
  it('should read one cookie among several', () => {
    expect(readCookie('a=1; ds_oauth=xyz; b=2', 'ds_oauth')).toBe('xyz');
    expect(readCookie('a=1', 'ds_oauth')).toBeUndefined();
    expect(readCookie(undefined, 'ds_oauth')).toBeUndefined();
  });

  it('should always write HttpOnly and SameSite=Lax', () => {
    const cookie = serializeCookie('n', 'v', { path: '/p', maxAgeSeconds: 60, secure: true });
    expect(cookie).toBe('n=v; Path=/p; Max-Age=60; HttpOnly; SameSite=Lax; Secure');
  });
});
