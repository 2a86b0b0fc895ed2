import { describe, expect, it } from '@jest/globals';
import { TtlCache } from './ttl-cache.js';

/** A load the test finishes when it wants, to interleave a drop with a fill in flight. */
function deferred<V>(): { promise: Promise<V>; resolve: (value: V) => void } {
  let resolve: (value: V) => void = () => undefined;
  const promise = new Promise<V>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('TtlCache', () => {
  it('should share one load between concurrent misses and reload after the ttl', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<number>(1000, { maxEntries: 10, now: () => now });
    const load = (): Promise<number> => Promise.resolve(++loads);
    const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
    expect([a, b, loads]).toEqual([1, 1, 1]);
    now = 999;
    expect(await cache.get('k', load)).toBe(1);
    now = 1000;
    expect(await cache.get('k', load)).toBe(2);
  });

  it('should forget failed loads and dropped keys', async () => {
    const cache = new TtlCache<number>(1000);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', () => Promise.resolve(7))).toBe(7);
    cache.drop(['k']);
    expect(await cache.get('k', () => Promise.resolve(8))).toBe(8);
  });

  it('should drop the oldest entry past the size bound', async () => {
    const cache = new TtlCache<number>(60_000, { maxEntries: 2 });
    for (const key of ['1', '2', '3']) {
      await cache.get(key, () => Promise.resolve(Number(key)));
    }
    expect(await cache.get('1', () => Promise.resolve(100))).toBe(100);
    expect(await cache.get('3', () => Promise.resolve(300))).toBe(3);
  });

  it('should drop the entries tagged with a changed record and keep the others', async () => {
    const cache = new TtlCache<{ tenant: string; n: number }>(60_000, {
      tagsOf: (value) => [`tenant:${value.tenant}`],
    });
    await cache.get('a', () => Promise.resolve({ tenant: 't1', n: 1 }));
    await cache.get('b', () => Promise.resolve({ tenant: 't2', n: 1 }));
    cache.dropTagged(['tenant:t1']);
    expect((await cache.get('a', () => Promise.resolve({ tenant: 't1', n: 2 }))).n).toBe(2);
    expect((await cache.get('b', () => Promise.resolve({ tenant: 't2', n: 2 }))).n).toBe(1);
  });

  it.each([
    ['its key', (cache: TtlCache<string>) => cache.drop(['k'])],
    ['another key', (cache: TtlCache<string>) => cache.drop(['other'])],
    ['a tag its value will carry', (cache: TtlCache<string>) => cache.dropTagged(['tag:old'])],
  ])(
    'should not keep a fill that was in flight when %s was dropped',
    async (_what, dropDuringFill) => {
      const cache = new TtlCache<string>(60_000, { tagsOf: (value) => [`tag:${value}`] });
      const racing = deferred<string>();
      const inFlight = cache.get('k', () => racing.promise);
      dropDuringFill(cache);
      racing.resolve('old');
      // The racing request still gets what it read...
      expect(await inFlight).toBe('old');
      // ...but the cache does not keep it.
      expect(await cache.get('k', () => Promise.resolve('new'))).toBe('new');
    },
  );

  it('should let a request that starts after a drop load afresh while an older fill is in flight', async () => {
    const cache = new TtlCache<string>(60_000);
    const older = deferred<string>();
    const first = cache.get('k', () => older.promise);
    cache.drop(['k']);
    const second = cache.get('k', () => Promise.resolve('new'));
    older.resolve('old');
    expect([await first, await second]).toEqual(['old', 'new']);
    expect(await cache.get('k', () => Promise.resolve('newer'))).toBe('new');
  });
});
