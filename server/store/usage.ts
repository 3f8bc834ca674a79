/** The day's Gong call count (UTC days), persisted so `/usage` and the daily budget survive restarts. */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db';

export const utcDay = (d = new Date()) => d.toISOString().slice(0, 10);

export class UsageCounter {
  private readonly bump: Statement;
  private readonly read: Statement;
  /** This process is the database's only writer: the day's count is read once and then kept here. */
  private today: { day: string; calls: number } | null = null;

  constructor(db: Db) {
    this.bump = db.prepare('INSERT INTO gong_usage (day, calls) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET calls = calls + 1');
    this.read = db.prepare('SELECT calls FROM gong_usage WHERE day = ?');
  }

  increment(day = utcDay()): void {
    this.bump.run(day);
    if (this.today?.day === day) this.today.calls++;
  }

  calls(day = utcDay()): number {
    if (this.today?.day === day) return this.today.calls;
    const row = this.read.get(day) as { calls: number } | undefined;
    const calls = row?.calls ?? 0;
    if (day === utcDay()) this.today = { day, calls };
    return calls;
  }
}
