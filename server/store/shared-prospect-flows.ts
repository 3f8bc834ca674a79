/**
 * Prospects' flows shared by the replicas behind one database (`prospect_flows_cache`): the second level of
 * ProspectFlowsCache (server/services/prospect-flows.ts), so that a prospect another replica asked Gong about
 * a minute ago costs no call here. Each replica keeps its own first level in memory.
 *
 * Times are the database's clock (one clock for every replica), in ms:
 * - `asked_at`: when the replica that stored the row was about to ask Gong (before its call).
 * - `dropped_at`: when a write through any replica last touched the prospect; key `*` for writes that may touch
 *   any prospect. A row is served only when it was asked after both and within the TTL: an answer asked before a
 *   write and stored after it (a call in flight on another replica) is never served. One asked in the same
 *   millisecond as a drop counts as asked before it (the safe side: one more Gong call).
 */
import type { ProspectFlow } from '../../lib/api';
import { nowMsSql, type Db, type SqlParam } from './sql';

/** The key of the row that drops every prospect (writes that may touch any). */
const ANY = '*';

export interface SharedFlows {
  flows: ProspectFlow[];
  /** How old the answer is (ms), by the database's clock. */
  ageMs: number;
}

export class SharedProspectFlows {
  /** The clock in SQL: the database's, or a parameter (`at()`) read from the injected clock. */
  private readonly now: string;

  constructor(
    private readonly db: Db,
    private readonly ttlMs: number,
    /** One clock for every replica, in ms; default the database's (a replay on a virtual clock passes its own). */
    private readonly injectedClock?: () => number,
  ) {
    this.now = injectedClock ? 'CAST(? AS BIGINT)' : nowMsSql(db.engine);
  }

  /** The value of one `now` in a query's parameters (none: the database reads its own clock). */
  private at(): SqlParam[] {
    return this.injectedClock ? [Math.floor(this.injectedClock())] : [];
  }

  /** The shared clock: taken before a Gong call, stored with its answer. */
  async clock(): Promise<number> {
    if (this.injectedClock) return Math.floor(this.injectedClock());
    return (await this.db.get<{ now: number }>(`SELECT ${this.now} AS now`))!.now;
  }

  /** The rows of these keys still good to serve. */
  async get(keys: string[]): Promise<Map<string, SharedFlows>> {
    const out = new Map<string, SharedFlows>();
    if (!keys.length || this.ttlMs <= 0) return out;
    const rows = await this.db.all<{ key: string; flows: string | null; asked_at: number; dropped_at: number; now: number }>(
      `SELECT key, flows, asked_at, dropped_at, ${this.now} AS now FROM prospect_flows_cache WHERE key IN (${[...keys, ANY].map(() => '?').join(', ')})`,
      [...this.at(), ...keys, ANY],
    );
    const droppedAll = rows.find((r) => r.key === ANY)?.dropped_at ?? 0;
    for (const r of rows) {
      if (r.key === ANY || r.flows == null) continue;
      const ageMs = r.now - r.asked_at;
      if (r.asked_at > r.dropped_at && r.asked_at > droppedAll && ageMs < this.ttlMs) out.set(r.key, { flows: JSON.parse(r.flows) as ProspectFlow[], ageMs: Math.max(0, ageMs) });
    }
    return out;
  }

  /** Stores answers Gong gave to a call made at `askedAt` (this database's clock); a newer answer stays. */
  async put(rows: { key: string; id: string; flows: ProspectFlow[] }[], askedAt: number): Promise<void> {
    if (!rows.length || this.ttlMs <= 0) return;
    await this.db.run(
      `INSERT INTO prospect_flows_cache (key, crm_id, flows, asked_at) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}
       ON CONFLICT (key) DO UPDATE SET crm_id = excluded.crm_id, flows = excluded.flows, asked_at = excluded.asked_at
       WHERE excluded.asked_at > prospect_flows_cache.asked_at`,
      rows.flatMap((r) => [r.key, r.id, JSON.stringify(r.flows), askedAt]),
    );
  }

  /** A write touched these prospects (`null`: possibly any): no answer asked before now is served again. */
  async drop(keys: string[] | null): Promise<void> {
    const list = keys ?? [ANY];
    if (!list.length) return;
    await this.db.run(
      `INSERT INTO prospect_flows_cache (key, crm_id, dropped_at) VALUES ${list.map(() => `(?, ?, ${this.now})`).join(', ')}
       ON CONFLICT (key) DO UPDATE SET dropped_at = excluded.dropped_at`,
      list.flatMap((k) => [k, k, ...this.at()]),
    );
  }

  /** Forgets rows no rule needs any more: asked and dropped longer than a TTL ago. */
  async prune(): Promise<number> {
    const { changes } = await this.db.run(`DELETE FROM prospect_flows_cache WHERE asked_at < ${this.now} - ? AND dropped_at < ${this.now} - ?`, [...this.at(), this.ttlMs, ...this.at(), this.ttlMs]);
    return changes;
  }
}
