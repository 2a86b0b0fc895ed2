import { Injectable, Logger } from '@nestjs/common';
import type { JWK } from 'jose';
import { Clock } from '../../../common/clock/clock.js';
import { refuse, type PlatformKeyLookup } from './id-token-validator.js';
import type { LaunchPlatform } from './lti-launch.repository.js';

const KEY_SET_TTL_MS = 10 * 60 * 1000;
/** An unknown kid re-fetches the set at most this often per registration. */
const REFETCH_INTERVAL_MS = 10 * 1000;
const FETCH_TIMEOUT_MS = 5000;
const MAX_KEY_SET_BYTES = 256 * 1024;

interface CachedKeySet {
  url: string;
  keys: JWK[];
  fetchedAt: number;
}

/**
 * Each platform's public keys, from its JWKS URL (never from a token's `jku` or `x5u`), cached
 * per registration; a kid we have not seen re-fetches the set once, and at most every 10 s.
 */
@Injectable()
export class PlatformKeySets {
  private readonly logger = new Logger(PlatformKeySets.name);
  private readonly cache = new Map<string, CachedKeySet>();
  private readonly inflight = new Map<string, Promise<CachedKeySet>>();
  private readonly refetchedAt = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  lookupFor(platform: LaunchPlatform): PlatformKeyLookup {
    return async (kid) => {
      const now = this.clock.now().getTime();
      let set = this.cache.get(platform.id);
      let fresh = false;
      if (!set || set.url !== platform.jwksUrl || now - set.fetchedAt > KEY_SET_TTL_MS) {
        set = await this.fetch(platform);
        fresh = true;
      }
      let key = set.keys.find((candidate) => candidate.kid === kid);
      // A new kid is how a platform rotates: fetch once more, unless we just did.
      if (!key && !fresh && now - (this.refetchedAt.get(platform.id) ?? 0) >= REFETCH_INTERVAL_MS) {
        this.refetchedAt.set(platform.id, now);
        set = await this.fetch(platform);
        key = set.keys.find((candidate) => candidate.kid === kid);
      }
      return key;
    };
  }

  private fetch(platform: LaunchPlatform): Promise<CachedKeySet> {
    const running = this.inflight.get(platform.id);
    if (running) {
      return running;
    }
    const fetching = this.download(platform).finally(() => this.inflight.delete(platform.id));
    this.inflight.set(platform.id, fetching);
    return fetching;
  }

  private async download(platform: LaunchPlatform): Promise<CachedKeySet> {
    try {
      const response = await fetch(platform.jwksUrl, {
        headers: { accept: 'application/json' },
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok || text.length > MAX_KEY_SET_BYTES) {
        throw new Error(`JWKS answered ${response.status} (${text.length} bytes)`);
      }
      const body = JSON.parse(text) as { keys?: unknown };
      const keys = Array.isArray(body.keys)
        ? body.keys.filter((key): key is JWK => typeof key === 'object' && key !== null)
        : [];
      const set = { url: platform.jwksUrl, keys, fetchedAt: this.clock.now().getTime() };
      this.cache.set(platform.id, set);
      return set;
    } catch (error) {
      this.logger.warn(
        { err: error, platform_id: platform.id },
        'could not fetch a platform key set',
      );
      throw refuse('LTI_JWKS_UNAVAILABLE');
    }
  }
}
