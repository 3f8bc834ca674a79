/**
 * Prospects waiting in a replica's batching window (services/prospect-flows.ts), told to the other replicas through
 * the database (`prospect_flows_waiting`): a replica whose call to Gong has room takes other replicas' waiting
 * prospects into it and stores the answers in the shared reads, where the replica that queued them finds them when
 * its window ends. So list prefetches a load balancer spreads over replicas share calls as they do on one backend.
 * With PostgreSQL only. Times are the shared clock's (SharedReads), in ms.
 */
import type { SharedReads } from './shared-reads';

export class WaitingLookups {
  constructor(
    private readonly reads: SharedReads,
    /** This replica: it takes only others' prospects (its own are in its queue). */
    private readonly replica: string,
    /** Rows due longer ago than this were left by a replica that died or failed: not taken, then pruned. */
    private readonly staleMs: number,
  ) {}

  /** These prospects wait here until `windowMs` from now. A prospect another replica already waits for stays its. */
  async add(rows: { key: string; id: string }[], windowMs: number): Promise<void> {
    if (!rows.length) return;
    const { db, now } = this.reads;
    await db.run(
      `INSERT INTO prospect_flows_waiting (key, crm_id, replica, due_at) VALUES ${rows.map(() => `(?, ?, ?, ${now} + ?)`).join(', ')}
       ON CONFLICT (key) DO NOTHING`,
      // Whole ms: PostgreSQL refuses a fraction for a BIGINT (a window computed on a clock with fractions, as the
      // bench's virtual one, was silently never told to the others).
      rows.flatMap((r) => [r.key, r.id, this.replica, ...this.reads.at(), Math.ceil(windowMs)]),
    );
  }

  /**
   * A call is leaving with these prospects (no one need wait for them any more), and has room for `room` more: up to
   * that many of the other replicas' waiting prospects, soonest due first, are taken (no other replica takes them).
   */
  async leave(keys: string[], room: number): Promise<{ key: string; id: string }[]> {
    const { db, now } = this.reads;
    if (keys.length) await db.run(`DELETE FROM prospect_flows_waiting WHERE key IN (${keys.map(() => '?').join(', ')})`, keys);
    if (room <= 0) return [];
    const lock = db.engine === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    // The pick is a materialized CTE: as `IN (subquery … LIMIT)`, PostgreSQL may run the subquery again and delete
    // more than `room` rows (the bench's 500-rep day over replicas saw calls of 225 ids, which Gong refuses).
    const taken = await db.all<{ key: string; crm_id: string }>(
      `WITH picked AS MATERIALIZED (
         SELECT key FROM prospect_flows_waiting WHERE replica <> ? AND due_at > ${now} - ? ORDER BY due_at LIMIT ?${lock}
       )
       DELETE FROM prospect_flows_waiting WHERE key IN (SELECT key FROM picked) RETURNING key, crm_id`,
      [this.replica, ...this.reads.at(), this.staleMs, room],
    );
    return taken.map((r) => ({ key: r.key, id: r.crm_id }));
  }

  /** Which of these prospects another replica waits for, and how long until its window ends (ms, 0 if over). */
  async elsewhere(keys: string[]): Promise<Map<string, number>> {
    if (!keys.length) return new Map();
    const { db, now } = this.reads;
    const at = this.reads.at();
    const rows = await db.all<{ key: string; in_ms: number }>(
      `SELECT key, due_at - ${now} AS in_ms FROM prospect_flows_waiting WHERE key IN (${keys.map(() => '?').join(', ')}) AND replica <> ? AND due_at > ${now} - ?`,
      [...at, ...keys, this.replica, ...at, this.staleMs],
    );
    return new Map(rows.map((r) => [r.key, Math.max(0, Number(r.in_ms))]));
  }

  /**
   * When the soonest window another replica has open ends (ms from now), or null if none is open: a prefetch that
   * would open a window of its own here waits with that one instead, as on one backend it joins the open window.
   */
  async openWindow(): Promise<number | null> {
    const { db, now } = this.reads;
    const at = this.reads.at();
    const row = await db.get<{ in_ms: number | null }>(
      `SELECT MIN(due_at) - ${now} AS in_ms FROM prospect_flows_waiting WHERE replica <> ? AND due_at > ${now}`,
      [...at, this.replica, ...at],
    );
    return row?.in_ms == null ? null : Math.max(0, Number(row.in_ms));
  }

  /** Forgets rows left behind (their replica died or its call failed before it left). */
  async prune(): Promise<number> {
    const { changes } = await this.reads.db.run(`DELETE FROM prospect_flows_waiting WHERE due_at < ${this.reads.now} - ?`, [...this.reads.at(), this.staleMs]);
    return changes;
  }
}
