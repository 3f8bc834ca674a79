/** The day's Gong call count: counted in memory at once, written behind, and never lost on a clean close. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../../server/store/db';
import { UsageCounter, utcDay } from '../../server/store/usage';

const dirs: string[] = [];
function freshDb(): { db: Db; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gong-usage-'));
  dirs.push(dir);
  return { db: openDb(dir), dir };
}
const stored = (db: Db, day: string) => (db.prepare('SELECT calls FROM gong_usage WHERE day = ?').get(day) as { calls: number } | undefined)?.calls ?? 0;

afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('UsageCounter', () => {
  it('counts at once and writes the calls of a moment in one statement, after the calls', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { db } = freshDb();
    const usage = new UsageCounter(db, 1000);
    usage.increment('2026-11-27');
    usage.increment('2026-11-27');
    expect(usage.calls('2026-11-27')).toBe(2);
    expect(stored(db, '2026-11-27')).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(stored(db, '2026-11-27')).toBe(2);
    usage.increment('2026-11-27');
    vi.advanceTimersByTime(1000);
    expect(stored(db, '2026-11-27')).toBe(3);
    db.close();
  });

  it('keeps counting from the persisted figure after a restart, and flush writes what is pending', () => {
    const { db, dir } = freshDb();
    const day = utcDay();
    const first = new UsageCounter(db);
    for (let i = 0; i < 5; i++) first.increment();
    first.flush();
    db.close();
    const again = openDb(dir);
    const second = new UsageCounter(again);
    expect(second.calls()).toBe(5);
    second.increment();
    expect(second.calls()).toBe(6);
    second.flush();
    expect(stored(again, day)).toBe(6);
    again.close();
  });
});

describe('UsageCounter per rep', () => {
  it("keeps each rep's count beside the company's, across a restart; a negative count takes calls back", () => {
    const { db, dir } = freshDb();
    const first = new UsageCounter(db);
    first.increment(undefined, 3, 'a@example.com');
    first.increment(undefined, 2, 'b@example.com');
    first.increment(undefined, 2, 'a@example.com');
    first.increment(undefined, -2, 'a@example.com');
    expect(first.callsBy('a@example.com')).toBe(3);
    expect(first.calls()).toBe(5);
    first.flush();
    db.close();
    const again = new UsageCounter(openDb(dir));
    expect(again.callsBy('a@example.com')).toBe(3);
    expect(again.callsBy('b@example.com')).toBe(2);
    expect(again.callsBy('c@example.com')).toBe(0);
    again.increment(undefined, 1, 'b@example.com');
    expect(again.byRep()).toEqual([
      { identifier: 'a@example.com', calls: 3 },
      { identifier: 'b@example.com', calls: 3 },
    ]);
    expect(again.calls()).toBe(6);
  });
});

describe('the backend writes the count between requests', () => {
  it('once no request is in flight, well before the write-behind deadline', async () => {
    const { startTestBackend } = await import('./harness');
    const { SEED } = await import('../../server/sandbox/gong/seed');
    const t = await startTestBackend();
    try {
      const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`);
      expect(res.status).toBe(200);
      expect(t.gong.stats().totalCalls).toBeGreaterThan(0);
      // The deadline is 1 s; the quiet moment comes ~20 ms after the response.
      await vi.waitFor(() => expect(stored(t.backend.db, utcDay())).toBe(t.gong.stats().totalCalls), { timeout: 800, interval: 10 });
    } finally {
      await t.close();
    }
  });
});
