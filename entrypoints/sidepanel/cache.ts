/**
 * Stale-while-revalidate cache of a prospect's reads (flows, calls) and of the flow catalog; its keys are in
 * lib/storage.ts. The store sees it through CacheStore: in storage (wiring.ts) or in memory (unit tests).
 */
import type { Flow } from '../../lib/api';
import type { Cached, ProspectCache } from '../../lib/storage';

/** Past this age a cached read is not shown at all (it is always revalidated anyway). */
export const CACHE_TTL_MS = 7 * 24 * 3_600_000;
/** Younger than this, a cached read is shown without a "refreshing" hint. */
export const CACHE_FRESH_MS = 60_000;

export interface CacheStore {
  getProspect(key: string): Promise<ProspectCache | null>;
  setProspect(key: string, value: ProspectCache): Promise<void>;
  getCatalog(): Promise<Cached<Flow[]> | null>;
  setCatalog(value: Cached<Flow[]>): Promise<void>;
}

/** The cached data if it is still within the TTL, else null. */
export function usable<T>(c: Cached<T> | undefined | null, now: number, ttl = CACHE_TTL_MS): T | null {
  if (!c || typeof c.at !== 'number') return null;
  const age = now - c.at;
  return age >= 0 && age <= ttl ? c.data : null;
}

/** In-memory CacheStore (unit tests, and the fallback when storage is unavailable). */
export function memoryCache(): CacheStore {
  const prospects = new Map<string, ProspectCache>();
  let catalog: Cached<Flow[]> | null = null;
  return {
    getProspect: async (k) => prospects.get(k) ?? null,
    setProspect: async (k, v) => void prospects.set(k, v),
    getCatalog: async () => catalog,
    setCatalog: async (v) => void (catalog = v),
  };
}

/** Names of storage keys whose cache entries are past the TTL (for pruning). */
export function expiredCacheKeys(all: Record<string, unknown>, now: number, ttl = CACHE_TTL_MS): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(all)) {
    if (!k.startsWith('cache:')) continue;
    const entry = v as ProspectCache & Partial<Cached<unknown>>;
    const times = [entry?.flows?.at, entry?.calls?.at, entry?.at].filter((t): t is number => typeof t === 'number');
    if (!times.length || Math.max(...times) < now - ttl) out.push(k);
  }
  return out;
}
