import { describe, expect, it } from '@jest/globals';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';

describe('MemoryThrottlerStorage', () => {
  it('should count hits in a fixed window and block past the limit for the block duration', async () => {
    let now = 0;
    const storage = new MemoryThrottlerStorage(() => now);
    const hit = () => storage.increment('ip:1', 60_000, 2, 30_000, 'anonymous');
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 30 });
    now = 20_000;
    expect(await hit()).toMatchObject({ isBlocked: true, timeToBlockExpire: 10 });
    now = 61_000;
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 60 });
  });

  it('should keep separate counters per key and per throttler', async () => {
    const storage = new MemoryThrottlerStorage(() => 0);
    await storage.increment('ip:1', 60_000, 1, 60_000, 'anonymous');
    expect(await storage.increment('ip:2', 60_000, 1, 60_000, 'anonymous')).toMatchObject({
      totalHits: 1,
    });
    expect(await storage.increment('ip:1', 60_000, 1, 60_000, 'route')).toMatchObject({
      totalHits: 1,
    });
  });
});
