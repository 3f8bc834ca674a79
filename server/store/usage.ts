/**
 * The day's Gong call count (UTC days), persisted so `/usage` and the daily budget survive restarts.
 *
 * Counted in memory at once and written behind: a SQLite write costs ~0.2 ms on a quiet machine, which
 * would sit in front of every Gong call. Counts are flushed in one statement at the backend's next quiet
 * moment between requests (app.ts), at most `flushAfterMs` later, and on close; a crash can lose at most that
 * last moment's count, and the budget is a safety margin anyway.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db';

export const utcDay = (d = new Date()) => d.toISOString().slice(0, 10);

export class UsageCounter {
  private readonly add: Statement;
  private readonly read: Statement;
  /** This process is the database's only writer: the day's count is read once and then kept here. */
  private today: { day: string; calls: number } | null = null;
  /** Counted but not yet written, per day. */
  private readonly unwritten = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(db: Db, private readonly flushAfterMs = 1000) {
    this.add = db.prepare('INSERT INTO gong_usage (day, calls) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET calls = calls + excluded.calls');
    this.read = db.prepare('SELECT calls FROM gong_usage WHERE day = ?');
  }

  /** Counts `calls` Gong calls (one tool run may cost several: lib/gong-tools.ts GONG_CALL_COST). */
  increment(day = utcDay(), calls = 1): void {
    this.calls(day); // loads the day's persisted count before it changes
    if (this.today?.day === day) this.today.calls += calls;
    this.unwritten.set(day, (this.unwritten.get(day) ?? 0) + calls);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushAfterMs);
      this.timer.unref();
    }
  }

  calls(day = utcDay()): number {
    if (this.today?.day === day) return this.today.calls;
    const row = this.read.get(day) as { calls: number } | undefined;
    const calls = (row?.calls ?? 0) + (this.unwritten.get(day) ?? 0);
    if (day === utcDay()) this.today = { day, calls };
    return calls;
  }

  /** Writes what was counted since the last flush (also called on close). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [day, n] of this.unwritten) this.add.run(day, n);
    this.unwritten.clear();
  }
}
