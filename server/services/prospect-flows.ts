/**
 * Company-wide cache of prospects' flows, filled by one `gong_engage_prospects_flows_list` call for up to
 * 200 prospects at a time.
 *
 * - Keyed by CRM id (case-insensitive): a prospect's flows are company data, the same for every rep.
 * - Entries live `prospectFlowsTtlMs` (minutes; the side panel shows its own copy and revalidates) and are
 *   dropped by any write through this backend that touches the prospect (assign, unassign, interaction,
 *   email activity: the gateway's write tags), or by writes that may touch any prospect (unassign by
 *   instance, task changes). A read in flight when such a write happens is not stored, and later readers
 *   do not wait for it.
 * - Lookups that arrive within 5 ms of each other are sent together (micro-batching), and the
 *   batch route `POST /prospects/flows/lookup` fills the cache for a list view's rows in one call.
 * - A batch runs on the connection of the rep who asked first; should Gong refuse it, every other rep in
 *   the batch asks again on their own connection (nobody gets another rep's error).
 */
import type { ProspectFlow } from '../../lib/api';
import { GONG_MAX_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { gongProspectsFlowsResponse } from '../../lib/gong-types';
import type { GongGateway } from '../gong/gateway';
import type { GongSession } from '../gong/session';
import { toProspectFlow } from './flows';

interface Entry {
  flows: ProspectFlow[];
  expiresAt: number;
}

interface Pending {
  key: string;
  id: string;
  session: GongSession;
  resolve: (flows: ProspectFlow[]) => void;
  reject: (err: unknown) => void;
}

export interface ProspectFlowsStats {
  hits: number;
  misses: number;
  gongCalls: number;
}

const keyOf = (id: string) => id.toLowerCase();

export class ProspectFlowsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<ProspectFlow[]>>();
  /** Bumped per prospect by a write touching it; `all` by a write that may touch any prospect. */
  private readonly generations = new Map<string, number>();
  private allGeneration = 0;
  private queue: Pending[] = [];
  private scheduled = false;
  readonly stats: ProspectFlowsStats = { hits: 0, misses: 0, gongCalls: 0 };

  constructor(
    gateway: GongGateway,
    private readonly ttlMs: number,
    /** How long a lookup waits for others to share its Gong call. */
    private readonly batchWindowMs = 5,
    private readonly maxEntries = 50_000,
  ) {
    gateway.onInvalidate((tags) => this.invalidate(tags));
  }

  /** Flows of each prospect (same order as `ids`), from the cache or from Gong in as few calls as possible. */
  async lookup(session: GongSession, ids: string[]): Promise<{ crmProspectId: string; flows: ProspectFlow[] }[]> {
    const now = Date.now();
    const answers = ids.map((id) => {
      const key = keyOf(id);
      const hit = this.entries.get(key);
      if (hit && hit.expiresAt > now) {
        this.stats.hits++;
        return hit.flows;
      }
      if (hit) this.entries.delete(key);
      const running = this.inFlight.get(key);
      if (running) {
        this.stats.hits++;
        return running;
      }
      this.stats.misses++;
      const promise = new Promise<ProspectFlow[]>((resolve, reject) => this.queue.push({ key, id, session, resolve, reject }));
      this.inFlight.set(key, promise);
      const clear = () => {
        if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
      };
      promise.then(clear, clear);
      return promise;
    });
    if (this.queue.length && !this.scheduled) {
      this.scheduled = true;
      // Everything asked for within a few ms (concurrent requests, several reps) goes in one call.
      setTimeout(() => this.flush(), this.batchWindowMs);
    }
    const flows = await Promise.all(answers);
    return ids.map((id, i) => ({ crmProspectId: id, flows: flows[i] }));
  }

  invalidate(tags: string[]): void {
    for (const tag of tags) {
      if (tag === 'prospects') {
        this.allGeneration++;
        this.entries.clear();
        this.inFlight.clear();
      } else if (tag.startsWith('prospect:')) {
        const key = tag.slice('prospect:'.length);
        this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
        this.entries.delete(key);
        this.inFlight.delete(key);
      }
    }
  }

  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    // Same prospect asked twice in one turn cannot happen (in-flight dedup), so batches are of distinct ids.
    for (let i = 0; i < queue.length; i += GONG_MAX_PROSPECTS_PER_CALL) void this.run(queue.slice(i, i + GONG_MAX_PROSPECTS_PER_CALL));
  }

  private async run(batch: Pending[], retryAlone = true): Promise<void> {
    const session = batch[0].session;
    const seen = batch.map((p) => this.generations.get(p.key) ?? 0);
    const all = this.allGeneration;
    try {
      this.stats.gongCalls++;
      // The gateway's own short per-user cache is skipped: this cache replaces it for this tool.
      const { data } = await session.call('gong_engage_prospects_flows_list', { crm_prospect_ids: batch.map((p) => p.id) }, { fresh: true });
      const assigned = gongProspectsFlowsResponse.parse(data).prospectsAssigned;
      const byKey = new Map<string, ProspectFlow[]>();
      for (const a of assigned) {
        const k = keyOf(a.crmProspectId);
        let list = byKey.get(k);
        if (!list) byKey.set(k, (list = []));
        list.push(toProspectFlow(a));
      }
      const expiresAt = Date.now() + this.ttlMs;
      batch.forEach((p, i) => {
        const flows = byKey.get(p.key) ?? [];
        const unchanged = all === this.allGeneration && seen[i] === (this.generations.get(p.key) ?? 0);
        if (unchanged && this.ttlMs > 0) this.store(p.key, { flows, expiresAt });
        p.resolve(flows);
      });
    } catch (err) {
      const mine = batch.filter((p) => p.session.user.id === session.user.id);
      for (const p of mine) p.reject(err);
      if (!retryAlone) return;
      // Other reps' prospects: ask again on each rep's own connection.
      const others = new Map<number, Pending[]>();
      for (const p of batch) {
        if (p.session.user.id === session.user.id) continue;
        const list = others.get(p.session.user.id) ?? [];
        list.push(p);
        others.set(p.session.user.id, list);
      }
      await Promise.all([...others.values()].map((list) => this.run(list, false)));
    }
  }

  private store(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
  }
}
