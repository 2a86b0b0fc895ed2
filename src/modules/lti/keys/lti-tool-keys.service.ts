import { generateKeyPair, createPrivateKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { calculateJwkThumbprint } from 'jose';
import { Clock } from '../../../common/clock/clock.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { LtiKeyEncryption } from './lti-key-encryption.js';
import {
  LtiToolKeysRepository,
  type LtiPublicJwk,
  type LtiToolKeyRow,
  type LtiToolKeyStatus,
  type NewLtiToolKey,
} from './lti-tool-keys.repository.js';

const generateRsaKeyPair = promisify(generateKeyPair);

/** How long a process trusts its copy of the signing key (a CLI rotation elsewhere shows after). */
export const SIGNING_KEY_CACHE_MS = 60_000;

export interface LtiSigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface LtiToolKeySummary {
  kid: string;
  status: LtiToolKeyStatus;
  createdAt: Date;
  retiredAt: Date | null;
}

/**
 * The LTI tool's RS256 keys: one signs (client assertions, deep-linking responses), every
 * other one stays published in /lti/jwks until removed. Private halves are stored sealed.
 */
@Injectable()
export class LtiToolKeys implements OnApplicationBootstrap {
  private readonly logger = new Logger(LtiToolKeys.name);
  private cached?: { key: LtiSigningKey; expiresAt: number };

  constructor(
    private readonly keys: LtiToolKeysRepository,
    private readonly encryption: LtiKeyEncryption,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureSigningKey();
  }

  /** Makes sure one key signs; safe when several instances start at once. Answers its kid. */
  async ensureSigningKey(): Promise<string> {
    const existing = await this.keys.findSigning();
    if (existing) {
      return existing.kid;
    }
    const key = await this.newKey();
    if (await this.keys.insertSigningIfNone(key)) {
      this.logger.log({ kid: key.kid }, 'generated the first LTI tool key');
      return key.kid;
    }
    // Another instance won the race: its key signs.
    const winner = await this.keys.findSigning();
    if (!winner) {
      throw new Error('No LTI tool key signs, and none could be inserted');
    }
    return winner.kid;
  }

  async signingKey(): Promise<LtiSigningKey> {
    const now = this.clock.nowMs();
    if (this.cached && this.cached.expiresAt > now) {
      return this.cached.key;
    }
    let row = await this.keys.findSigning();
    if (!row) {
      await this.ensureSigningKey();
      row = await this.keys.findSigning();
    }
    if (!row) {
      throw new Error('No LTI tool key signs');
    }
    const key = {
      kid: row.kid,
      privateKey: createPrivateKey(this.encryption.open(row.private_key_sealed, row.kid)),
    };
    this.cached = { key, expiresAt: now + SIGNING_KEY_CACHE_MS };
    return key;
  }

  /** The public halves of every key not removed, the signing one first. */
  async jwks(): Promise<{ keys: LtiPublicJwk[] }> {
    const rows = await this.keys.listAll();
    return { keys: rows.map((row) => publicPart(row)) };
  }

  /** A new key signs from now on; the previous one stays published. Answers the new kid. */
  async rotate(): Promise<string> {
    const key = await this.newKey();
    const previous = await this.keys.rotate(key);
    this.cached = undefined;
    this.logger.log({ kid: key.kid, previous }, 'rotated the LTI tool key');
    return key.kid;
  }

  /** Removes a published key from the JWKS; the signing key cannot be removed. */
  async remove(kid: string): Promise<void> {
    if (await this.keys.deletePublished(kid)) {
      return;
    }
    const row = await this.keys.findByKid(kid);
    throw new AppException(row ? 'LTI_TOOL_KEY_SIGNING' : 'LTI_TOOL_KEY_NOT_FOUND', undefined, {
      kid,
    });
  }

  async list(): Promise<LtiToolKeySummary[]> {
    const rows = await this.keys.listAll();
    return rows.map((row) => ({
      kid: row.kid,
      status: row.status,
      createdAt: row.created_at,
      retiredAt: row.retired_at,
    }));
  }

  private async newKey(): Promise<NewLtiToolKey> {
    const { publicKey, privateKey } = await generateRsaKeyPair('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const n = jwk.n ?? '';
    const e = jwk.e ?? '';
    const kid = await calculateJwkThumbprint({ kty: 'RSA', n, e }, 'sha256');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    return {
      kid,
      publicJwk: { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' },
      privateKeySealed: this.encryption.seal(pem, kid),
    };
  }
}

function publicPart(row: LtiToolKeyRow): LtiPublicJwk {
  const { n, e } = row.public_jwk;
  return { kty: 'RSA', n, e, kid: row.kid, alg: 'RS256', use: 'sig' };
}
