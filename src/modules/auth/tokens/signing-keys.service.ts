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

/** What our access tokens may be signed with; each key allows only its own. */
export const JWT_ALGORITHMS = ['ES256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** The dev key file of the RS256 days, no longer read (see loadPrivateKeyPem). */
const OLD_DEFAULT_KEY_FILE = './.data/jwt/signing-key.pem';

export type PublicJwk =
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' }
  | { kty: 'RSA'; n: string; e: string; kid: string; alg: 'RS256'; use: 'sig' };

export interface VerifyingKey {
  kid: string;
  alg: JwtAlgorithm;
  key: KeyObject;
  jwk: PublicJwk;
}

/**
 * The key that signs access tokens, and every public key that still verifies them. The
 * algorithm follows the key: EC P-256 signs ES256, RSA signs RS256 (deployments that have not
 * rotated yet). A key's `kid` is its RFC 7638 thumbprint. Rotation: the new key goes into
 * JWT_PRIVATE_KEY, the old public key into JWT_PREVIOUS_PUBLIC_KEYS until its last token has
 * expired.
 */
@Injectable()
export class SigningKeys {
  private readonly logger = new Logger(SigningKeys.name);
  readonly signingKey: KeyObject;
  readonly signingKid: string;
  readonly signingAlgorithm: JwtAlgorithm;
  private readonly verifying = new Map<string, VerifyingKey>();

  constructor(config: AppConfigService) {
    this.signingKey = createPrivateKey(this.loadPrivateKeyPem(config));
    const current = toVerifyingKey(createPublicKey(this.signingKey), 'JWT_PRIVATE_KEY');
    this.signingKid = current.kid;
    this.signingAlgorithm = current.alg;
    this.verifying.set(current.kid, current);
    for (const pem of splitPem(config.get('JWT_PREVIOUS_PUBLIC_KEYS') ?? '')) {
      const previous = toVerifyingKey(createPublicKey(pem), 'JWT_PREVIOUS_PUBLIC_KEYS');
      if (!this.verifying.has(previous.kid)) {
        this.verifying.set(previous.kid, previous);
      }
    }
  }

  /** The key named by `kid`, with the one algorithm it verifies. */
  verifyingKey(kid: string): Pick<VerifyingKey, 'alg' | 'key'> | undefined {
    return this.verifying.get(kid);
  }

  jwks(): { keys: PublicJwk[] } {
    return { keys: [...this.verifying.values()].map((entry) => entry.jwk) };
  }

  /**
   * A 32-byte secret for another purpose, derived from the signing key (no extra setting), so
   * it changes when the signing key is rotated (see the README's signing keys section).
   */
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
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, pem, { mode: 0o600 });
    chmodSync(file, 0o600);
    this.logger.warn({ file }, 'generated a JWT signing key (P-256) for development');
    // Development only: its tokens last minutes and refresh tokens survive, so it is not kept.
    const old = path.resolve(OLD_DEFAULT_KEY_FILE);
    if (old !== file && existsSync(old)) {
      this.logger.warn({ file: old }, 'the old RSA development key is no longer used; delete it');
    }
    return pem;
  }
}

function splitPem(pems: string): string[] {
  return (
    pems.replace(/\\n/g, '\n').match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? []
  );
}

/** Exported for the unit tests; `setting` names the variable in the start-up error. */
export function toVerifyingKey(key: KeyObject, setting: string): VerifyingKey {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === 'ec' && curve === 'prime256v1') {
    const jwk = key.export({ format: 'jwk' }) as JsonWebKey & { x: string; y: string };
    // RFC 7638: the required members in lexicographic order.
    const kid = thumbprint({ crv: 'P-256', kty: 'EC', x: jwk.x, y: jwk.y });
    return {
      kid,
      alg: 'ES256',
      key,
      jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' },
    };
  }
  if (type === 'rsa') {
    const jwk = key.export({ format: 'jwk' }) as JsonWebKey & { n: string; e: string };
    const kid = thumbprint({ e: jwk.e, kty: 'RSA', n: jwk.n });
    return {
      kid,
      alg: 'RS256',
      key,
      jwk: { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' },
    };
  }
  const found = curve ? `${type ?? 'unknown'} (${curve})` : (type ?? 'unknown');
  throw new Error(
    `${setting}: JWT keys must be EC P-256 (ES256) or RSA (RS256) keys, not ${found}`,
  );
}

function thumbprint(members: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}
