import { Injectable } from '@nestjs/common';
import { hash, verify, type Options } from '@node-rs/argon2';
import bcrypt from 'bcrypt';

/** OWASP's argon2id profile (m = 19 MiB, t = 2, p = 1). */
const ARGON2_OPTIONS: Options = {
  // Algorithm.Argon2id: the package's const enum cannot be read under isolatedModules.
  algorithm: 2,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
};
const CURRENT_PARAMS = `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`;
const BCRYPT_PREFIX = /^\$2[aby]\$\d{2}\$/;

/**
 * argon2id for every new hash; bcrypt hashes imported from the old system still verify and are
 * replaced on the next successful sign-in (`needsRehash`). Both run off the event loop.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    if (storedHash.startsWith('$argon2')) {
      return verify(storedHash, password).catch(() => false);
    }
    if (BCRYPT_PREFIX.test(storedHash)) {
      return bcrypt.compare(password, storedHash);
    }
    return false;
  }

  needsRehash(storedHash: string): boolean {
    return !storedHash.startsWith(CURRENT_PARAMS);
  }

  /** Spends the same time as a real check, so an unknown account cannot be told apart by timing. */
  async verifyAgainstNothing(password: string): Promise<void> {
    this.dummyHash ??= this.hash('dummy-password-for-timing');
    await verify(await this.dummyHash, password).catch(() => false);
  }
}
