/**
 * The day's Gong call count (UTC days), for the company and per rep (connected-account identifier),
 * persisted so `/usage`, the daily budget and each rep's share survive restarts, and shared by replicas.
 *
 * Counted in memory at once and written behind: a database write would sit in front of every Gong call.
 * Counts are flushed in one transaction at the backend's next quiet moment between requests (app.ts), at most
 * `flushAfterMs` later, and on close; a crash can lose at most that last moment's count, and the budget is a
 * safety margin anyway. Each flush reads back the day's totals, which include what other replicas counted;
 * with several replicas (`refreshMs`) they are also read every few seconds, so a replica that makes no calls
 * still sees the company's day.
 */
import type { Db } from './db';

const DAY_MS = 86_400_000;
/** The UTC day last asked for without a date, and its bounds (ms): every Gong call asks several times. */
let today = { day: '', from: 0, to: 0 };

/** The UTC day (YYYY-MM-DD) of `d`, by default now. */
export function utcDay(d?: Date): string {
  if (d) return d.toISOString().slice(0, 10);
  const now = Date.now();
  if (now < today.from || now >= today.to) {
    // JavaScript time has no leap seconds: every UTC day starts at a multiple of DAY_MS.
    const from = now - (((now % DAY_MS) + DAY_MS) % DAY_MS);
    today = { day: new Date(from).toISOString().slice(0, 10), from, to: from + DAY_MS };
  }
  return today.day;
}

interface Today {
  day: string;
  /** The database's totals when last read, plus what was counted here since. */
  calls: number;
  byRep: Map<string, number>;
}

export class UsageCounter {
  private today: Today = { day: utcDay(), calls: 0, byRep: new Map() };
  /** Counted but not yet written, per day, and per day and rep. */
  private readonly unwritten = new Map<string, number>();
  private readonly unwrittenByRep = new Map<string, { day: string; identifier: string; calls: number }>();
  private timer: NodeJS.Timeout | null = null;
  private refresher: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly flushAfterMs = 1000,
  ) {}

  /** Reads today's totals; with `refreshMs`, again that often (other replicas count too). */
  async start(refreshMs?: number): Promise<void> {
    await this.reload();
    if (refreshMs) {
      this.refresher = setInterval(() => void this.flush().catch(() => undefined), refreshMs);
      this.refresher.unref();
    }
  }

  /** Today's totals from the database, plus what was counted here and not written yet. */
  private async reload(): Promise<void> {
    const day = utcDay();
    const [company, reps] = await Promise.all([
      this.db.get<{ calls: number }>('SELECT calls FROM gong_usage WHERE day = ?', [day]),
      this.db.all<{ identifier: string; calls: number }>('SELECT identifier, calls FROM gong_usage_by_rep WHERE day = ?', [day]),
    ]);
    const byRep = new Map(reps.map((r) => [r.identifier, r.calls]));
    for (const r of this.unwrittenByRep.values()) if (r.day === day) byRep.set(r.identifier, (byRep.get(r.identifier) ?? 0) + r.calls);
    this.today = { day, calls: (company?.calls ?? 0) + (this.unwritten.get(day) ?? 0), byRep };
  }

  private current(): Today {
    const day = utcDay();
    if (this.today.day !== day) {
      // Midnight UTC: a new day starts at 0 (calls written for it by other replicas arrive with the next read).
      this.today = { day, calls: this.unwritten.get(day) ?? 0, byRep: new Map() };
      void this.flush().catch(() => undefined);
    }
    return this.today;
  }

  /**
   * Counts `calls` Gong calls (one tool run may cost several: lib/gong-tools.ts GONG_CALL_COST), for the rep
   * `identifier` too when given. A negative count takes back calls that never reached Gong.
   */
  increment(day = utcDay(), calls = 1, identifier?: string): void {
    const today = this.current();
    if (today.day === day) {
      today.calls += calls;
      if (identifier !== undefined) today.byRep.set(identifier, (today.byRep.get(identifier) ?? 0) + calls);
    }
    this.unwritten.set(day, (this.unwritten.get(day) ?? 0) + calls);
    if (identifier !== undefined) {
      const key = `${day}\n${identifier}`;
      const pending = this.unwrittenByRep.get(key);
      if (pending) pending.calls += calls;
      else this.unwrittenByRep.set(key, { day, identifier, calls });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.flushAfterMs);
      this.timer.unref();
    }
  }

  /** The company's Gong calls today. */
  calls(): number {
    return this.current().calls;
  }

  /** The rep's Gong calls today. */
  callsBy(identifier: string): number {
    return this.current().byRep.get(identifier) ?? 0;
  }

  /** Every rep who used Gong that day, busiest first. */
  async byRep(day = utcDay()): Promise<{ identifier: string; calls: number }[]> {
    await this.flush();
    return this.db.all('SELECT identifier, calls FROM gong_usage_by_rep WHERE day = ? AND calls > 0 ORDER BY calls DESC, identifier', [day]);
  }

  /** Writes what was counted since the last flush (also called on close), then reads back today's totals. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // One flush at a time: a second waits for the first, then writes what came after it.
    const next = this.flushing.then(() => this.write());
    this.flushing = next.catch(() => undefined);
    return next;
  }

  private async write(): Promise<void> {
    const company = [...this.unwritten];
    const reps = [...this.unwrittenByRep.values()];
    this.unwritten.clear();
    this.unwrittenByRep.clear();
    if (company.length || reps.length) {
      try {
        await this.db.tx(async (tx) => {
          for (const [day, n] of company) {
            await tx.run('INSERT INTO gong_usage (day, calls) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET calls = gong_usage.calls + excluded.calls', [day, n]);
          }
          for (const r of reps) {
            await tx.run(
              'INSERT INTO gong_usage_by_rep (day, identifier, calls) VALUES (?, ?, ?) ON CONFLICT (day, identifier) DO UPDATE SET calls = gong_usage_by_rep.calls + excluded.calls',
              [r.day, r.identifier, r.calls],
            );
          }
        });
      } catch (err) {
        // Not written: counted again with the next flush.
        for (const [day, n] of company) this.unwritten.set(day, (this.unwritten.get(day) ?? 0) + n);
        for (const r of reps) {
          const key = `${r.day}\n${r.identifier}`;
          const pending = this.unwrittenByRep.get(key);
          if (pending) pending.calls += r.calls;
          else this.unwrittenByRep.set(key, { ...r });
        }
        throw err;
      }
    }
    await this.reload();
  }

  /** Gong calls of each of the last `n` UTC days, oldest first (days without calls count 0). */
  async lastDays(n: number, today = new Date()): Promise<{ date: string; gongCalls: number }[]> {
    await this.flush();
    const dates = Array.from({ length: n }, (_, k) => utcDay(new Date(today.getTime() - (n - 1 - k) * 86_400_000)));
    const rows = await this.db.all<{ day: string; calls: number }>('SELECT day, calls FROM gong_usage WHERE day >= ? AND day <= ?', [dates[0], dates[n - 1]]);
    const byDay = new Map(rows.map((r) => [r.day, r.calls]));
    return dates.map((date) => ({ date, gongCalls: byDay.get(date) ?? 0 }));
  }

  /**
   * Each rep's Gong calls on each of the last `n` UTC days, oldest first (days without calls count 0), for
   * every rep who used Gong in that time; busiest today first, then busiest over the days.
   */
  async repsLastDays(n: number, today = new Date()): Promise<{ identifier: string; days: { date: string; gongCalls: number }[] }[]> {
    await this.flush();
    const dates = Array.from({ length: n }, (_, k) => utcDay(new Date(today.getTime() - (n - 1 - k) * 86_400_000)));
    const rows = await this.db.all<{ day: string; identifier: string; calls: number }>(
      'SELECT day, identifier, calls FROM gong_usage_by_rep WHERE day >= ? AND calls > 0',
      [dates[0]],
    );
    const byRep = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const days = byRep.get(r.identifier) ?? new Map<string, number>();
      days.set(r.day, r.calls);
      byRep.set(r.identifier, days);
    }
    const sum = (days: { gongCalls: number }[]) => days.reduce((a, d) => a + d.gongCalls, 0);
    return [...byRep.entries()]
      .map(([identifier, days]) => ({ identifier, days: dates.map((date) => ({ date, gongCalls: days.get(date) ?? 0 })) }))
      .sort((a, b) => b.days[n - 1].gongCalls - a.days[n - 1].gongCalls || sum(b.days) - sum(a.days) || a.identifier.localeCompare(b.identifier));
  }

  /** Stops the refresh and writes the last counts. */
  async close(): Promise<void> {
    if (this.refresher) clearInterval(this.refresher);
    this.refresher = null;
    await this.flush().catch(() => undefined);
  }
}
