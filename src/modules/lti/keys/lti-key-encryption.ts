import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import type { AppConfigService } from '../../../config/app-config.service.js';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** Where the key-encryption key comes from (LTI_KEY_ENCRYPTION_KEY, its file, NODE_ENV). */
export interface KeyEncryptionSettings {
  key?: string;
  file: string;
  production: boolean;
}

/** 64 hex digits or base64 (standard or url-safe) of exactly 32 bytes; undefined otherwise. */
export function parseKeyEncryptionKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    return Buffer.from(trimmed, 'hex');
  }
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    const decoded = Buffer.from(trimmed, 'base64');
    return decoded.length === KEY_BYTES ? decoded : undefined;
  }
  return undefined;
}

/**
 * Seals the LTI tool's private keys (AES-256-GCM, the kid as additional data, so a sealed key
 * cannot be moved to another row). The 32-byte key comes from LTI_KEY_ENCRYPTION_KEY, else from
 * LTI_KEY_ENCRYPTION_KEY_FILE; outside production a missing file is generated (mode 0600).
 */
export class LtiKeyEncryption {
  private static readonly logger = new Logger(LtiKeyEncryption.name);

  constructor(private readonly key: Buffer) {
    if (key.length !== KEY_BYTES) {
      throw new Error('LtiKeyEncryption needs a 32-byte key');
    }
  }

  static fromConfig(config: AppConfigService): LtiKeyEncryption {
    return LtiKeyEncryption.load({
      key: config.get('LTI_KEY_ENCRYPTION_KEY'),
      file: config.get('LTI_KEY_ENCRYPTION_KEY_FILE'),
      production: config.get('NODE_ENV') === 'production',
    });
  }

  static load(settings: KeyEncryptionSettings): LtiKeyEncryption {
    if (settings.key) {
      const key = parseKeyEncryptionKey(settings.key);
      if (!key) {
        throw new Error('LTI_KEY_ENCRYPTION_KEY must be 32 bytes, as 64 hex digits or base64');
      }
      return new LtiKeyEncryption(key);
    }
    const file = path.resolve(settings.file);
    if (existsSync(file)) {
      const key = parseKeyEncryptionKey(readFileSync(file, 'utf8'));
      if (!key) {
        throw new Error(`${file} must hold 32 bytes, as 64 hex digits or base64`);
      }
      return new LtiKeyEncryption(key);
    }
    if (settings.production) {
      throw new Error(
        `No LTI key-encryption key: set LTI_KEY_ENCRYPTION_KEY or provide ${file} (every instance needs the same key)`,
      );
    }
    return new LtiKeyEncryption(LtiKeyEncryption.generateInto(file));
  }

  private static generateInto(file: string): Buffer {
    const key = randomBytes(KEY_BYTES);
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      // `wx`: two processes starting together keep whichever key was written first.
      writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        const existing = parseKeyEncryptionKey(readFileSync(file, 'utf8'));
        if (existing) {
          return existing;
        }
      }
      throw error;
    }
    chmodSync(file, 0o600);
    LtiKeyEncryption.logger.warn({ file }, 'generated an LTI key-encryption key for development');
    return key;
  }

  /** The PEM sealed for the key `kid`: `v1.<base64url(iv | tag | ciphertext)>`. */
  seal(pem: string, kid: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(kid, 'utf8'));
    const body = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The PEM back; throws when the text was changed, belongs to another kid or another key. */
  open(sealed: string, kid: string): string {
    const [version, payload] = sealed.split('.');
    const raw = Buffer.from(payload ?? '', 'base64url');
    if (version !== VERSION || raw.length <= IV_BYTES + TAG_BYTES) {
      throw new Error(`The sealed LTI tool key ${kid} is malformed`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(kid, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(
        `The LTI tool key ${kid} cannot be opened: changed, or sealed with another LTI_KEY_ENCRYPTION_KEY`,
      );
    }
  }
}
