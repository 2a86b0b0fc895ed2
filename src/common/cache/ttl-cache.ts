interface Entry<V> {
  value: Promise<V>;
  expiresAt: number;
  /** Known once the load has settled; until then the entry is a fill in flight. */
  tags: string[] | undefined;
}

export interface TtlCacheOptions<V> {
  maxEntries?: number;
  now?: () => number;
  /** Other records a value was read from, so a change to one of them drops it (`dropTagged`). */
  tagsOf?: (value: V) => string[];
}

/**
 * A small in-process read-through cache: entries live `ttlMs`, concurrent misses share one load,
 * failed loads are not kept, and the oldest entries go first past `maxEntries`.
 *
 * A drop also discards every fill still in flight: a load that started before a change
 * committed may have read the old state, and keeping it would serve that state for the TTL.
 * Its callers still get what it read (they ran concurrently with the change); the next
 * request loads again.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly keysByTag = new Map<string, Set<string>>();
  private readonly inFlight = new Set<string>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly ttlMs: number,
    private readonly options: TtlCacheOptions<V> = {},
  ) {
    this.maxEntries = options.maxEntries ?? 50_000;
    this.now = options.now ?? Date.now;
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    const now = this.now();
    if (cached && cached.expiresAt > now) {
      return cached.value;
    }
    this.remove(key);
    const value = load();
    const entry: Entry<V> = { value, expiresAt: now + this.ttlMs, tags: undefined };
    this.entries.set(key, entry);
    this.inFlight.add(key);
    value.then(
      (loaded) => {
        if (this.entries.get(key) === entry) {
          this.inFlight.delete(key);
          this.index(key, entry, this.options.tagsOf?.(loaded) ?? []);
        }
      },
      () => {
        if (this.entries.get(key) === entry) {
          this.remove(key);
        }
      },
    );
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) {
        this.remove(oldest.value);
      }
    }
    return value;
  }

  /** These keys changed: their entries and every fill in flight go. */
  drop(keys: string[]): void {
    this.dropInFlight();
    for (const key of keys) {
      this.remove(key);
    }
  }

  /** Records these values were read from changed: the entries tagged so, and every fill in flight. */
  dropTagged(tags: string[]): void {
    this.dropInFlight();
    for (const tag of tags) {
      for (const key of this.keysByTag.get(tag) ?? []) {
        this.remove(key);
      }
      this.keysByTag.delete(tag);
    }
  }

  private dropInFlight(): void {
    for (const key of [...this.inFlight]) {
      this.remove(key);
    }
  }

  private index(key: string, entry: Entry<V>, tags: string[]): void {
    entry.tags = tags;
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag) ?? new Set<string>();
      keys.add(key);
      this.keysByTag.set(tag, keys);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) {
      return;
    }
    this.entries.delete(key);
    this.inFlight.delete(key);
    for (const tag of entry.tags ?? []) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) {
        this.keysByTag.delete(tag);
      }
    }
  }
}
