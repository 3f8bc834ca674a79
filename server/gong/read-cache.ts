/**
 * Reads from Gong: identical reads in flight share one call (coalescing) and answers are kept for a
 * short TTL. Each entry carries tags (e.g. `prospect:<crmId>`, `flows`); a write invalidates its tags,
 * which drops cached answers and detaches in-flight reads (their answers, which may predate it, are not kept) so
 * nobody sees data older than the write. Nothing is kept per tag: a tag written once costs no memory after.
 */
interface Entry {
  value: unknown;
  expiresAt: number;
  tags: string[];
}

interface InFlight {
  promise: Promise<unknown>;
  tags: string[];
  /** A write invalidated one of its tags while it ran: its answer may predate the write, so it is not kept. */
  stale: boolean;
}

export interface ReadCacheStats {
  hits: number;
  coalesced: number;
  misses: number;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, InFlight>();
  readonly stats: ReadCacheStats = { hits: 0, coalesced: 0, misses: 0 };

  constructor(private readonly ttlMs: number, private readonly maxEntries = 5_000) {}

  async read<T>(key: string, tags: string[], load: () => Promise<T>, ttlMs = this.ttlMs): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > Date.now()) {
      this.stats.hits++;
      return cached.value as T;
    }
    if (cached) this.entries.delete(key);
    const running = this.inFlight.get(key);
    if (running) {
      this.stats.coalesced++;
      return running.promise as Promise<T>;
    }
    this.stats.misses++;
    const promise = load();
    const flight: InFlight = { promise, tags, stale: false };
    this.inFlight.set(key, flight);
    try {
      const value = await promise;
      if (!flight.stale && ttlMs > 0) this.store(key, { value, tags, expiresAt: Date.now() + ttlMs });
      return value;
    } finally {
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
    }
  }

  invalidate(tags: string[]): void {
    if (!tags.length) return;
    const set = new Set(tags);
    const hit = (entryTags: string[]) => entryTags.some((t) => set.has(t));
    for (const [key, e] of this.entries) if (hit(e.tags)) this.entries.delete(key);
    for (const [key, f] of this.inFlight) {
      if (!hit(f.tags)) continue;
      f.stale = true;
      this.inFlight.delete(key);
    }
  }

  clear(): void {
    this.entries.clear();
    for (const f of this.inFlight.values()) f.stale = true;
    this.inFlight.clear();
  }

  private store(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) {
      // Oldest first: Map iteration order is insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, entry);
  }
}
