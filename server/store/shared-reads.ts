/**
 * Reads shared by the replicas behind one database (`shared_reads`): a second level under each replica's own caches
 * in memory, so that what one replica asked Gong a minute ago costs another no call. With PostgreSQL only (one
 * process keeps its reads in memory). Each kind of read (`of(kind, ttl)`) has its rows and its TTL; the users today:
 * prospects' flows (services/prospect-flows.ts: company data, a row per prospect) and the calls index
 * (services/calls.ts: company data, a row per window). A per-rep read would key its rows by the rep: a row is served
 * to whoever asks for its key.
 *
 * Times are one clock for every replica (the database's; a replay on a virtual clock injects its own), in ms:
 * - `asked_at`: when the replica that stored the row was about to ask Gong (before its call).
 * - `dropped_at`: when a write through any replica last touched the key; key `*` for writes that may touch every
 *   key of the kind. A row is served only when it was asked after both and within the TTL: an answer asked before a
 *   write and stored after it (a call in flight on another replica) is never served. One asked in the same
 *   millisecond as a drop counts as asked before it (the safe side: one more Gong call).
 */
import { nowMsSql, type Db, type SqlParam } from './sql';

/** The key of the row that drops every key of its kind (writes that may touch any). */
const ANY = '*';

export interface SharedAnswer<T> {
  value: T;
  /** How old the answer is (ms), by the shared clock. */
  ageMs: number;
}

export class SharedReads {
  /** The clock in SQL: the database's, or a parameter (`at()`) read from the injected clock. */
  readonly now: string;
  private readonly kinds = new Map<string, SharedRead<unknown>>();

  constructor(
    readonly db: Db,
    /** One clock for every replica, in ms; default the database's (a replay on a virtual clock passes its own). */
    private readonly injectedClock?: () => number,
  ) {
    this.now = injectedClock ? 'CAST(? AS BIGINT)' : nowMsSql(db.engine);
  }

  /** The value of one `now` in a query's parameters (none: the database reads its own clock). */
  at(): SqlParam[] {
    return this.injectedClock ? [Math.floor(this.injectedClock())] : [];
  }

  /** The shared clock: taken before a Gong call, stored with its answer. */
  async clock(): Promise<number> {
    if (this.injectedClock) return Math.floor(this.injectedClock());
    return (await this.db.get<{ now: number }>(`SELECT ${this.now} AS now`))!.now;
  }

  /** The rows of one kind of read, kept `ttlMs`. */
  of<T>(kind: string, ttlMs: number): SharedRead<T> {
    const read = new SharedRead<T>(this, kind, ttlMs);
    this.kinds.set(kind, read as SharedRead<unknown>);
    return read;
  }

  /** Forgets rows no rule needs any more: asked and dropped longer than their kind's TTL ago. */
  async prune(): Promise<number> {
    let deleted = 0;
    for (const read of this.kinds.values()) deleted += await read.prune();
    return deleted;
  }
}

export class SharedRead<T> {
  constructor(
    private readonly reads: SharedReads,
    readonly kind: string,
    readonly ttlMs: number,
  ) {}

  clock(): Promise<number> {
    return this.reads.clock();
  }

  /** The rows of these keys still good to serve. */
  async get(keys: string[]): Promise<Map<string, SharedAnswer<T>>> {
    const out = new Map<string, SharedAnswer<T>>();
    if (!keys.length || this.ttlMs <= 0) return out;
    const { db, now } = this.reads;
    const rows = await db.all<{ key: string; value: string | null; asked_at: number; dropped_at: number; now: number }>(
      `SELECT key, value, asked_at, dropped_at, ${now} AS now FROM shared_reads WHERE kind = ? AND key IN (${[...keys, ANY].map(() => '?').join(', ')})`,
      [...this.reads.at(), this.kind, ...keys, ANY],
    );
    const droppedAll = rows.find((r) => r.key === ANY)?.dropped_at ?? 0;
    for (const r of rows) {
      if (r.key === ANY || r.value == null) continue;
      const ageMs = r.now - r.asked_at;
      if (r.asked_at > r.dropped_at && r.asked_at > droppedAll && ageMs < this.ttlMs) out.set(r.key, { value: JSON.parse(r.value) as T, ageMs: Math.max(0, ageMs) });
    }
    return out;
  }

  /** Stores answers Gong gave to a call made at `askedAt` (the shared clock); a newer answer stays. */
  async put(rows: { key: string; value: T }[], askedAt: number): Promise<void> {
    if (!rows.length || this.ttlMs <= 0) return;
    await this.reads.db.run(
      `INSERT INTO shared_reads (kind, key, value, asked_at) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}
       ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, asked_at = excluded.asked_at
       WHERE excluded.asked_at > shared_reads.asked_at`,
      rows.flatMap((r) => [this.kind, r.key, JSON.stringify(r.value), askedAt]),
    );
  }

  /** A write touched these keys (`null`: possibly any): no answer asked before now is served again. */
  async drop(keys: string[] | null): Promise<void> {
    const list = keys ?? [ANY];
    if (!list.length) return;
    await this.reads.db.run(
      `INSERT INTO shared_reads (kind, key, dropped_at) VALUES ${list.map(() => `(?, ?, ${this.reads.now})`).join(', ')}
       ON CONFLICT (kind, key) DO UPDATE SET dropped_at = excluded.dropped_at`,
      list.flatMap((k) => [this.kind, k, ...this.reads.at()]),
    );
  }

  /** Forgets this kind's rows asked and dropped longer than a TTL ago. */
  async prune(): Promise<number> {
    const { db, now } = this.reads;
    const { changes } = await db.run(`DELETE FROM shared_reads WHERE kind = ? AND asked_at < ${now} - ? AND dropped_at < ${now} - ?`, [
      this.kind,
      ...this.reads.at(),
      this.ttlMs,
      ...this.reads.at(),
      this.ttlMs,
    ]);
    return changes;
  }
}
