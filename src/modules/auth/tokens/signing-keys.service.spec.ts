import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigService } from '@nestjs/config';
import { calculateJwkThumbprint } from 'jose';
import { APP_CONFIG_NAMESPACE, AppConfigService } from '../../../config/app-config.service.js';
import { validateEnv } from '../../../config/env.schema.js';
import { SigningKeys, toVerifyingKey } from './signing-keys.service.js';

const pem = (key: KeyObject, type: 'pkcs8' | 'spki'): string =>
  key.export({ format: 'pem', type } as never).toString();

function keysWith(env: Record<string, string>): SigningKeys {
  const validated = validateEnv({ NODE_ENV: 'test', ...env });
  return new SigningKeys(
    new AppConfigService(new ConfigService({ [APP_CONFIG_NAMESPACE]: validated })),
  );
}

describe('SigningKeys', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

  it('should sign ES256 with a P-256 key and publish it as an EC JWK', async () => {
    const keys = keysWith({ JWT_PRIVATE_KEY: pem(ec.privateKey, 'pkcs8') });
    expect(keys.signingAlgorithm).toBe('ES256');
    const [jwk] = keys.jwks().keys;
    expect(Object.keys(jwk ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwk?.kid).toBe(await calculateJwkThumbprint(ec.publicKey.export({ format: 'jwk' })));
    expect(keys.signingKid).toBe(jwk?.kid);
  });

  it('should keep signing RS256 with an RSA key, and verify previous keys with their own alg', async () => {
    const keys = keysWith({
      JWT_PRIVATE_KEY: pem(rsa.privateKey, 'pkcs8').replace(/\n/g, '\\n'),
      JWT_PREVIOUS_PUBLIC_KEYS: pem(ec.publicKey, 'spki'),
    });
    expect(keys.signingAlgorithm).toBe('RS256');
    const [current, previous] = keys.jwks().keys;
    expect(current).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(current?.kid).toBe(
      await calculateJwkThumbprint(rsa.publicKey.export({ format: 'jwk' })),
    );
    expect(previous).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(keys.verifyingKey(previous?.kid ?? '')?.alg).toBe('ES256');
    expect(keys.verifyingKey(current?.kid ?? '')?.alg).toBe('RS256');
    expect(keys.verifyingKey('unknown')).toBeUndefined();
  });

  it.each([
    ['P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey, /secp384r1/],
    ['secp256k1', generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey, /secp256k1/],
    ['Ed25519', generateKeyPairSync('ed25519').privateKey, /ed25519/],
    ['RSA-PSS', generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey, /rsa-pss/],
  ])('should refuse a %s signing key at start with a clear message', (_name, key, found) => {
    const start = () => keysWith({ JWT_PRIVATE_KEY: pem(key, 'pkcs8') });
    expect(start).toThrow(/^JWT_PRIVATE_KEY: JWT keys must be EC P-256 \(ES256\) or RSA \(RS256\)/);
    expect(start).toThrow(found);
  });

  it('should refuse a previous public key of another type, naming JWT_PREVIOUS_PUBLIC_KEYS', () => {
    const ed = generateKeyPairSync('ed25519').publicKey;
    expect(() =>
      keysWith({
        JWT_PRIVATE_KEY: pem(ec.privateKey, 'pkcs8'),
        JWT_PREVIOUS_PUBLIC_KEYS: `${pem(rsa.publicKey, 'spki')}${pem(ed, 'spki')}`,
      }),
    ).toThrow(/^JWT_PREVIOUS_PUBLIC_KEYS: .*ed25519/);
    expect(() => toVerifyingKey(ed, 'X')).toThrow(/^X: /);
  });

  it('should accept a SEC1 "EC PRIVATE KEY" PEM as openssl ecparam writes it', () => {
    const sec1 = ec.privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    expect(sec1).toContain('BEGIN EC PRIVATE KEY');
    expect(keysWith({ JWT_PRIVATE_KEY: sec1 }).signingAlgorithm).toBe('ES256');
  });

  it('should generate a P-256 dev key into the new default file, ignoring an old RSA one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'signing-keys-'));
    const file = path.join(dir, 'signing-key-p256.pem');
    writeFileSync(path.join(dir, 'signing-key.pem'), pem(rsa.privateKey, 'pkcs8'));
    const first = keysWith({ NODE_ENV: 'development', JWT_PRIVATE_KEY_FILE: file });
    expect(first.signingAlgorithm).toBe('ES256');
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');
    const again = keysWith({ NODE_ENV: 'development', JWT_PRIVATE_KEY_FILE: file });
    expect(again.signingKid).toBe(first.signingKid);
    expect(again.jwks().keys).toHaveLength(1);
  });

  it('should derive secrets from the signing key, so they change when it rotates', () => {
    const a = keysWith({ JWT_PRIVATE_KEY: pem(ec.privateKey, 'pkcs8') });
    const b = keysWith({ JWT_PRIVATE_KEY: pem(ec.privateKey, 'pkcs8') });
    const rotated = keysWith({ JWT_PRIVATE_KEY: pem(rsa.privateKey, 'pkcs8') });
    expect(a.deriveSecret('x')).toEqual(b.deriveSecret('x'));
    expect(a.deriveSecret('x')).toHaveLength(32);
    expect(a.deriveSecret('x')).not.toEqual(a.deriveSecret('y'));
    expect(rotated.deriveSecret('x')).not.toEqual(a.deriveSecret('x'));
  });
});
