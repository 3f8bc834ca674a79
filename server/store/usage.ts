/**
 * The day's Gong call count (UTC days), for the company and per rep (connected-account identifier),
 * persisted so `/usage`, the daily budget and each rep's share survive restarts.
 *
 * Counted in memory at once and written behind: a SQLite write costs ~0.2 ms on a quiet machine, which
 * would sit in front of every Gong call. Counts are flushed in one transaction at the backend's next quiet
 * moment between requests (app.ts), at most `flushAfterMs` later, and on close; a crash can lose at most that
 * last moment's count, and the budget is a safety margin anyway.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db';

export const utcDay = (d = new Date()) => d.toISOString().slice(0, 10);

export class UsageCounter {
  private readonly add: Statement;
  private readonly read: Statement;
  private readonly addForRep: Statement;
  private readonly readForRep: Statement;
  private readonly readAllReps: Statement;
  private readonly readRepsSince: Statement;
  /** This process is the database's only writer: the day's counts are read once and then kept here. */
  private today: { day: string; calls: number; byRep: Map<string, number> } | null = null;
  /** Counted but not yet written, per day, and per day and rep. */
  private readonly unwritten = new Map<string, number>();
  private readonly unwrittenByRep = new Map<string, { day: string; identifier: string; calls: number }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db, private readonly flushAfterMs = 1000) {
    this.add = db.prepare('INSERT INTO gong_usage (day, calls) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET calls = calls + excluded.calls');
    this.read = db.prepare('SELECT calls FROM gong_usage WHERE day = ?');
    this.addForRep = db.prepare(
      'INSERT INTO gong_usage_by_rep (day, identifier, calls) VALUES (?, ?, ?) ON CONFLICT(day, identifier) DO UPDATE SET calls = calls + excluded.calls',
    );
    this.readForRep = db.prepare('SELECT calls FROM gong_usage_by_rep WHERE day = ? AND identifier = ?');
    this.readAllReps = db.prepare('SELECT identifier, calls FROM gong_usage_by_rep WHERE day = ? AND calls > 0 ORDER BY calls DESC, identifier');
    this.readRepsSince = db.prepare('SELECT day, identifier, calls FROM gong_usage_by_rep WHERE day >= ? AND calls > 0');
  }

  /**
   * Counts `calls` Gong calls (one tool run may cost several: lib/gong-tools.ts GONG_CALL_COST), for the rep
   * `identifier` too when given. A negative count takes back calls that never reached Gong.
   */
  increment(day = utcDay(), calls = 1, identifier?: string): void {
    this.calls(day); // loads the day's persisted count before it changes
    if (this.today?.day === day) this.today.calls += calls;
    this.unwritten.set(day, (this.unwritten.get(day) ?? 0) + calls);
    if (identifier !== undefined) {
      const mine = this.callsBy(identifier, day);
      if (this.today?.day === day) this.today.byRep.set(identifier, mine + calls);
      const key = `${day}\n${identifier}`;
      const pending = this.unwrittenByRep.get(key);
      if (pending) pending.calls += calls;
      else this.unwrittenByRep.set(key, { day, identifier, calls });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushAfterMs);
      this.timer.unref();
    }
  }

  calls(day = utcDay()): number {
    if (this.today?.day === day) return this.today.calls;
    const row = this.read.get(day) as { calls: number } | undefined;
    const calls = (row?.calls ?? 0) + (this.unwritten.get(day) ?? 0);
    if (day === utcDay()) this.today = { day, calls, byRep: new Map() };
    return calls;
  }

  /** The rep's Gong calls that day. */
  callsBy(identifier: string, day = utcDay()): number {
    this.calls(day);
    const known = this.today?.day === day ? this.today.byRep.get(identifier) : undefined;
    if (known !== undefined) return known;
    const row = this.readForRep.get(day, identifier) as { calls: number } | undefined;
    const calls = (row?.calls ?? 0) + (this.unwrittenByRep.get(`${day}\n${identifier}`)?.calls ?? 0);
    if (this.today?.day === day) this.today.byRep.set(identifier, calls);
    return calls;
  }

  /** Every rep who used Gong that day, busiest first. */
  byRep(day = utcDay()): { identifier: string; calls: number }[] {
    this.flush();
    return this.readAllReps.all(day) as { identifier: string; calls: number }[];
  }

  /** Writes what was counted since the last flush (also called on close). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.unwritten.size === 0 && this.unwrittenByRep.size === 0) return;
    this.db.transaction(() => {
      for (const [day, n] of this.unwritten) this.add.run(day, n);
      for (const r of this.unwrittenByRep.values()) this.addForRep.run(r.day, r.identifier, r.calls);
    })();
    this.unwritten.clear();
    this.unwrittenByRep.clear();
  }

  /** Gong calls of each of the last `n` UTC days, oldest first (days without calls count 0). */
  lastDays(n: number, today = new Date()): { date: string; gongCalls: number }[] {
    const out: { date: string; gongCalls: number }[] = [];
    for (let i = n - 1; i >= 0; i--) {
      const date = utcDay(new Date(today.getTime() - i * 86_400_000));
      out.push({ date, gongCalls: this.calls(date) });
    }
    return out;
  }

  /**
   * Each rep's Gong calls on each of the last `n` UTC days, oldest first (days without calls count 0), for
   * every rep who used Gong in that time; busiest today first, then busiest over the days.
   */
  repsLastDays(n: number, today = new Date()): { identifier: string; days: { date: string; gongCalls: number }[] }[] {
    this.flush();
    const dates = Array.from({ length: n }, (_, k) => utcDay(new Date(today.getTime() - (n - 1 - k) * 86_400_000)));
    const rows = this.readRepsSince.all(dates[0]) as { day: string; identifier: string; calls: number }[];
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
}
