import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { LtiKeyEncryption, parseKeyEncryptionKey } from './lti-key-encryption.js';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const KID = 'kid-one';

const scratchFile = () =>
  path.join(mkdtempSync(path.join(tmpdir(), 'lti-kek-')), 'lti', 'key-encryption.key');

describe('LtiKeyEncryption', () => {
  const encryption = new LtiKeyEncryption(randomBytes(32));

  it('should open what it sealed, and the sealed text should not show the PEM', () => {
    const sealed = encryption.seal(PEM, KID);
    expect(sealed).not.toContain('PRIVATE KEY');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(encryption.open(sealed, KID)).toBe(PEM);
    expect(encryption.seal(PEM, KID)).not.toBe(sealed);
  });

  it('should refuse a sealed key that was changed', () => {
    const sealed = encryption.seal(PEM, KID);
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => encryption.open(`v1.${raw.toString('base64url')}`, KID)).toThrow(
      /cannot be opened/,
    );
    expect(() => encryption.open('v1.AAAA', KID)).toThrow(/malformed/);
  });

  it('should refuse a sealed key moved to another kid', () => {
    expect(() => encryption.open(encryption.seal(PEM, KID), 'kid-two')).toThrow(/cannot be opened/);
  });

  it('should refuse a key sealed with another encryption key', () => {
    const other = new LtiKeyEncryption(randomBytes(32));
    expect(() => other.open(encryption.seal(PEM, KID), KID)).toThrow(/cannot be opened/);
  });

  it('should accept the key as 64 hex digits or base64 of 32 bytes, nothing else', () => {
    const key = randomBytes(32);
    expect(parseKeyEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(parseKeyEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(parseKeyEncryptionKey(randomBytes(16).toString('base64'))).toBeUndefined();
    expect(parseKeyEncryptionKey('not a key')).toBeUndefined();
  });

  it('should use LTI_KEY_ENCRYPTION_KEY before the file', () => {
    const key = randomBytes(32);
    const file = scratchFile();
    const sealed = new LtiKeyEncryption(key).seal(PEM, KID);
    const loaded = LtiKeyEncryption.load({ key: key.toString('hex'), file, production: true });
    expect(loaded.open(sealed, KID)).toBe(PEM);
    expect(() => statSync(file)).toThrow();
    expect(() => LtiKeyEncryption.load({ key: 'short', file, production: true })).toThrow(
      /LTI_KEY_ENCRYPTION_KEY must be 32 bytes/,
    );
  });

  it('should read the key from the file, in production too', () => {
    const key = randomBytes(32);
    const file = scratchFile();
    LtiKeyEncryption.load({ file, production: false });
    writeFileSync(file, key.toString('base64'));
    const sealed = new LtiKeyEncryption(key).seal(PEM, KID);
    expect(LtiKeyEncryption.load({ file, production: true }).open(sealed, KID)).toBe(PEM);
  });

  it('should generate the file (mode 0600) outside production, and reuse it after', () => {
    const file = scratchFile();
    const first = LtiKeyEncryption.load({ file, production: false });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    const again = LtiKeyEncryption.load({ file, production: false });
    expect(again.open(first.seal(PEM, KID), KID)).toBe(PEM);
  });

  it('should refuse to start in production without a key', () => {
    const file = scratchFile();
    expect(() => LtiKeyEncryption.load({ file, production: true })).toThrow(
      /No LTI key-encryption key: set LTI_KEY_ENCRYPTION_KEY or provide/,
    );
    expect(() => statSync(file)).toThrow();
  });
});
