/**
 * The prospects reps are working on, on any replica (`prospect_flows_worked`): a list being worked re-renders every
 * 20–60 s, and a load balancer spreads its renders over the replicas, so no replica alone knows which rows are
 * worked. One backend refreshes those rows ahead of their expiry in its calls with room (services/prospect-flows.ts);
 * behind replicas, any replica's call with room takes them from here, past half their life in the shared reads,
 * soonest to expire first, each claimed by one call. With PostgreSQL only. Times are the shared clock's, in ms.
 */
import type { SharedRead, SharedReads } from './shared-reads';

/** A replica tells the others what its reps asked for at most this often (one statement for all of them). */
export const WORKED_FLUSH_MS = 2_000;
/** A row claimed for a call is not claimed again for this long (the call stores its answer well before). */
const CLAIM_MS = 30_000;
/** Rows nobody asked for in this long are forgotten. */
const FORGET_AFTER_MS = 15 * 60_000;

export class WorkedRows {
  /** Asked here since the last flush: key → CRM id as asked. */
  private pending = new Map<string, string>();
  private flushedAt = -Infinity;

  constructor(
    private readonly reads: SharedReads,
    /** The shared reads whose rows are refreshed (their TTL and drops). */
    private readonly answers: SharedRead<unknown>,
    /** Rows asked within this are worked on (REFRESH_AHEAD_ASKED_WITHIN_MS, as on one backend). */
    private readonly workedWithinMs: number,
  ) {}

  /** Reps asked for these here (hits or misses); told to the others with the next flush, within WORKED_FLUSH_MS. */
  note(rows: { key: string; id: string }[], now: number): void {
    for (const r of rows) this.pending.set(r.key, r.id);
    if (this.pending.size && now - this.flushedAt >= WORKED_FLUSH_MS) void this.flush(now).catch(() => undefined);
  }

  /** Writes what was asked here since the last flush (best effort: a row missed is only not refreshed ahead). */
  async flush(now: number): Promise<void> {
    this.flushedAt = now;
    if (!this.pending.size) return;
    const rows = [...this.pending];
    this.pending = new Map();
    const { db } = this.reads;
    await db.run(
      `INSERT INTO prospect_flows_worked (key, crm_id, worked_at) VALUES ${rows.map(() => `(?, ?, ${this.reads.now})`).join(', ')}
       ON CONFLICT (key) DO UPDATE SET crm_id = excluded.crm_id, worked_at = excluded.worked_at`,
      rows.flatMap(([key, id]) => [key, id, ...this.reads.at()]),
    );
  }

  /**
   * Claims up to `room` worked rows (not in `except`) whose shared answer is past half its life and not yet expired
   * nor dropped, soonest to expire first: a call leaving with room asks Gong again for them.
   */
  async take(except: string[], room: number): Promise<{ key: string; id: string }[]> {
    if (room <= 0 || this.answers.ttlMs <= 0) return [];
    const { db, now } = this.reads;
    const at = this.reads.at();
    const ttl = this.answers.ttlMs;
    const lock = db.engine === 'postgres' ? ' FOR UPDATE OF w SKIP LOCKED' : '';
    const notIn = except.length ? `AND w.key NOT IN (${except.map(() => '?').join(', ')})` : '';
    // A materialized CTE picks the rows once (see WaitingLookups.leave: a subquery with LIMIT may run again).
    const rows = await db.all<{ key: string; crm_id: string }>(
      `WITH picked AS MATERIALIZED (
         SELECT w.key FROM prospect_flows_worked w JOIN shared_reads s ON s.kind = ? AND s.key = w.key
         WHERE w.worked_at > ${now} - ? AND w.refreshing_until < ${now} ${notIn}
           AND s.value IS NOT NULL AND s.asked_at > s.dropped_at
           AND s.asked_at > COALESCE((SELECT dropped_at FROM shared_reads WHERE kind = ? AND key = '*'), 0)
           AND s.asked_at > ${now} - ? AND s.asked_at <= ${now} - ?
         ORDER BY s.asked_at LIMIT ?${lock}
       )
       UPDATE prospect_flows_worked SET refreshing_until = ${now} + ? WHERE key IN (SELECT key FROM picked) RETURNING key, crm_id`,
      [this.answers.kind, ...at, this.workedWithinMs, ...at, ...except, this.answers.kind, ...at, ttl, ...at, ttl / 2, room, ...at, CLAIM_MS],
    );
    return rows.map((r) => ({ key: r.key, id: r.crm_id }));
  }

  /** Forgets rows nobody asked for in a while. */
  async prune(): Promise<number> {
    const { changes } = await this.reads.db.run(`DELETE FROM prospect_flows_worked WHERE worked_at < ${this.reads.now} - ?`, [...this.reads.at(), FORGET_AFTER_MS]);
    return changes;
  }
}
