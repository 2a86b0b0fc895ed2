import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfigService } from '../../../config/app-config.service.js';

export const JWT_ALGORITHM = 'RS256';

export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  alg: typeof JWT_ALGORITHM;
  use: 'sig';
}

interface VerifyingKey {
  kid: string;
  key: KeyObject;
  jwk: PublicJwk;
}

/**
 * The RS256 key that signs access tokens, and every public key that still verifies them.
 * A key's `kid` is its RFC 7638 thumbprint. Rotation: the new key goes into JWT_PRIVATE_KEY,
 * the old public key into JWT_PREVIOUS_PUBLIC_KEYS until its last token has expired.
 */
@Injectable()
export class SigningKeys {
  private readonly logger = new Logger(SigningKeys.name);
  readonly signingKey: KeyObject;
  readonly signingKid: string;
  private readonly verifying = new Map<string, VerifyingKey>();

  constructor(config: AppConfigService) {
    this.signingKey = createPrivateKey(this.loadPrivateKeyPem(config));
    const current = toVerifyingKey(createPublicKey(this.signingKey));
    this.signingKid = current.kid;
    this.verifying.set(current.kid, current);
    for (const pem of splitPem(config.get('JWT_PREVIOUS_PUBLIC_KEYS') ?? '')) {
      const previous = toVerifyingKey(createPublicKey(pem));
      this.verifying.set(previous.kid, previous);
    }
  }

  publicKey(kid: string): KeyObject | undefined {
    return this.verifying.get(kid)?.key;
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: [...this.verifying.values()].map((entry) => entry.jwk) };
  }

  /** A 32-byte secret for another purpose, derived from the signing key (no extra setting). */
  deriveSecret(label: string): Buffer {
    const der = this.signingKey.export({ format: 'der', type: 'pkcs8' });
    return Buffer.from(hkdfSync('sha256', der, Buffer.alloc(0), `dreamseed:${label}`, 32));
  }

  private loadPrivateKeyPem(config: AppConfigService): string {
    const inline = config.get('JWT_PRIVATE_KEY');
    if (inline) {
      return inline.replace(/\\n/g, '\n');
    }
    const file = path.resolve(config.get('JWT_PRIVATE_KEY_FILE'));
    if (existsSync(file)) {
      return readFileSync(file, 'utf8');
    }
    if (config.get('NODE_ENV') === 'production') {
      throw new Error(
        `No JWT signing key: set JWT_PRIVATE_KEY or provide ${file} (every instance needs the same key)`,
      );
    }
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, pem, { mode: 0o600 });
    chmodSync(file, 0o600);
    this.logger.warn({ file }, 'generated a JWT signing key for development');
    return pem;
  }
}

function splitPem(pems: string): string[] {
  return (
    pems.replace(/\\n/g, '\n').match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? []
  );
}

function toVerifyingKey(key: KeyObject): VerifyingKey {
  const jwk = key.export({ format: 'jwk' }) as JsonWebKey & { n: string; e: string; kty: string };
  if (jwk.kty !== 'RSA') {
    throw new Error('JWT keys must be RSA keys (RS256)');
  }
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n }))
    .digest('base64url');
  return {
    kid: thumbprint,
    key,
    jwk: { kty: 'RSA', n: jwk.n, e: jwk.e, kid: thumbprint, alg: JWT_ALGORITHM, use: 'sig' },
  };
}
