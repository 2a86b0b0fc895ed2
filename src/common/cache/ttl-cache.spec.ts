import { describe, expect, it } from '@jest/globals';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('should share one load between concurrent misses and reload after the ttl', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<string, number>(1000, 10, () => now);
    const load = (): Promise<number> => Promise.resolve(++loads);
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    now = 999;
    expect(await cache.get('k', load)).toBe(1);
    now = 1000;
    expect(await cache.get('k', load)).toBe(2);
  });

  it('should forget failed loads and deleted keys', async () => {
    const cache = new TtlCache<string, number>(1000);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', () => Promise.resolve(7))).toBe(7);
    cache.delete('k');
    expect(await cache.get('k', () => Promise.resolve(8))).toBe(8);
  });

  it('should drop the oldest entry past the size bound', async () => {
    const cache = new TtlCache<number, number>(60_000, 2);
    for (const key of [1, 2, 3]) {
      await cache.get(key, () => Promise.resolve(key));
    }
    expect(await cache.get(1, () => Promise.resolve(100))).toBe(100);
    expect(await cache.get(3, () => Promise.resolve(300))).toBe(3);
  });
});
