interface Entry<V> {
  value: Promise<V>;
  expiresAt: number;
}

/**
 * A small in-process read-through cache: entries live `ttlMs`, concurrent misses share one load,
 * failed loads are not kept, and the oldest entries go first past `maxEntries`.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    const now = this.now();
    if (entry && entry.expiresAt > now) {
      return entry.value;
    }
    const value = load();
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) {
        this.entries.delete(key);
      }
    });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.entries.delete(oldest.value);
      }
    }
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }
}
