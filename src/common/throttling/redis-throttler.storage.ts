import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import type { Redis } from 'ioredis';
import type { PeekableThrottlerStorage, WindowCount } from './failure-budget.js';

// Fixed window counter plus a block marker, in one round trip and atomically across instances.
const INCREMENT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl <= 0 and hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blockTtl = tonumber(ARGV[3])
end
return { hits, ttl, blockTtl }
`;

const PEEK_SCRIPT = `
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
return { hits, redis.call('PTTL', KEYS[1]) }
`;

/** Throttler storage shared by every instance of the API through Redis. */
export class RedisThrottlerStorage implements ThrottlerStorage, PeekableThrottlerStorage {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}${throttlerName}:${key}`;
    const [hits, ttlMs, blockMs] = (await this.redis.eval(
      INCREMENT_SCRIPT,
      2,
      `${base}:hits`,
      `${base}:blocked`,
      ttl,
      limit,
      blockDuration,
    )) as [number, number, number];
    const isBlocked = blockMs > 0;
    return {
      totalHits: hits,
      timeToExpire: Math.max(0, Math.ceil(ttlMs / 1000)),
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil(blockMs / 1000) : 0,
    };
  }

  async peek(key: string, throttlerName: string): Promise<WindowCount> {
    const [hits, ttlMs] = (await this.redis.eval(
      PEEK_SCRIPT,
      1,
      `${this.prefix}${throttlerName}:${key}:hits`,
    )) as [number, number];
    return { totalHits: hits, timeToExpire: Math.max(0, Math.ceil(ttlMs / 1000)) };
  }
}
