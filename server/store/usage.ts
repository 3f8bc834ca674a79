/** The day's Gong call count (UTC days), persisted so `/usage` and the daily budget survive restarts. */
import type { Db } from './db';

export const utcDay = (d = new Date()) => d.toISOString().slice(0, 10);

export class UsageCounter {
  constructor(private readonly db: Db) {}

  increment(day = utcDay()): void {
    this.db
      .prepare('INSERT INTO gong_usage (day, calls) VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET calls = calls + 1')
      .run(day);
  }

  calls(day = utcDay()): number {
    const row = this.db.prepare('SELECT calls FROM gong_usage WHERE day = ?').get(day) as { calls: number } | undefined;
    return row?.calls ?? 0;
  }
}
