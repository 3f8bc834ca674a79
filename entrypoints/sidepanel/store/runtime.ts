/**
 * What every slice of the panel store shares: the injected deps (backend client, cache, outbox), the clock,
 * timers that end with the panel, and the one queue for read-modify-writes of a record's saved reads.
 */
import type { BackendClient } from '../../../lib/backend-client';
import type { OutboxEntry, OutboxWrite } from '../../../lib/outbox';
import type { ProspectCache } from '../../../lib/storage';
import type { CacheStore } from '../cache';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';
export interface Load<T> {
  status: LoadStatus;
  data: T | null;
  /** Set with status 'error', or alongside stale data when a refresh failed. */
  error: string | null;
  /** A refresh is running while (cached) data is shown. */
  refreshing: boolean;
  /** When `data` was fetched (ms); older than now means it came from the cache. */
  at: number | null;
  /** Record key the data belongs to (per-prospect loads). */
  key: string | null;
}
export const idle = <T>(): Load<T> => ({ status: 'idle', data: null, error: null, refreshing: false, at: null, key: null });

export interface PanelDeps {
  /** null when no backend token is configured. */
  getClient(): BackendClient | null;
  cache: CacheStore;
  /**
   * Queues a write in the background's outbox; `id` is its idempotency key, made at click time. Its outcome
   * reaches the store through `setOutbox` (the outbox's storage watcher), never through this reply.
   */
  enqueue(write: OutboxWrite, id: string): Promise<OutboxEntry>;
  newId?(): string;
  openTab?(url: string): void | Promise<void>;
  /**
   * The backend refused the token as revoked or expired (a sign-in that ended): forget it, so every page is back
   * to set-up. Only the token this panel used, not one signed in since: answers whether it forgot one.
   */
  forgetSignIn?(): Promise<boolean>;
  /** Asks the outbox to retry waiting writes now. */
  retryPending?(): Promise<void>;
  /** Tells the outbox the rep was shown why these writes failed. */
  markTold?(ids: string[]): Promise<void>;
  now?(): number;
  /** Delay between job / connection polls (ms). */
  pollMs?: number;
  /** Delay between checks while the backend is unreachable (ms). */
  probeMs?: number;
}

/** A slice's view of the store: its own state and actions, plus what it asks of the other slices. */
export type SetState<S> = (partial: Partial<S> | ((s: S) => Partial<S>)) => void;
export type GetState<S> = () => S;

export function createRuntime(deps: PanelDeps) {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let disposed = false;
  let cacheChain: Promise<void> = Promise.resolve();
  return {
    deps,
    now: () => (deps.now ? deps.now() : Date.now()),
    pollMs: deps.pollMs ?? 1500,
    probeMs: deps.probeMs ?? 5000,
    get disposed() {
      return disposed;
    },
    wait: (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, ms);
        timers.add(t);
      }),
    /** Changes a record's saved reads; one change after another, so flows and calls never clobber each other. */
    updateProspect(key: string, change: (cached: ProspectCache) => ProspectCache | null): Promise<void> {
      cacheChain = cacheChain.then(async () => {
        const cached = (await deps.cache.getProspect(key).catch(() => null)) ?? {};
        const next = change(cached);
        if (next) await deps.cache.setProspect(key, next).catch(() => undefined);
      });
      return cacheChain;
    },
    dispose() {
      disposed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
export type Runtime = ReturnType<typeof createRuntime>;
