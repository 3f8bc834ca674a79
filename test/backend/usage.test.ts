/** The day's Gong call count: counted in memory at once, written behind, and never lost on a clean close. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../server/store/db';
import { UsageCounter, utcDay } from '../../server/store/usage';
import { openTestDb, tempDataDir } from './harness';

const open: Db[] = [];
async function freshDb(dir = tempDataDir()): Promise<{ db: Db; dir: string }> {
  const db = await openTestDb(dir);
  open.push(db);
  return { db, dir };
}
const stored = async (db: Db, day: string) => (await db.get<{ calls: number }>('SELECT calls FROM gong_usage WHERE day = ?', [day]))?.calls ?? 0;

afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
});

describe('UsageCounter', () => {
  it('counts at once and writes the calls of a moment in one transaction, after the calls', async () => {
    const { db } = await freshDb();
    const day = utcDay();
    const usage = new UsageCounter(db, 200);
    await usage.start();
    usage.increment(day);
    usage.increment(day);
    expect(usage.calls()).toBe(2);
    expect(await stored(db, day)).toBe(0);
    await vi.waitFor(async () => expect(await stored(db, day)).toBe(2), { timeout: 2000, interval: 20 });
    usage.increment(day);
    await vi.waitFor(async () => expect(await stored(db, day)).toBe(3), { timeout: 2000, interval: 20 });
    await usage.close();
  });

  it('keeps counting from the persisted figure after a restart, and flush writes what is pending', async () => {
    const { db, dir } = await freshDb();
    const day = utcDay();
    const first = new UsageCounter(db);
    await first.start();
    for (let i = 0; i < 5; i++) first.increment();
    await first.close();
    const { db: again } = await freshDb(dir);
    const second = new UsageCounter(again);
    await second.start();
    expect(second.calls()).toBe(5);
    second.increment();
    expect(second.calls()).toBe(6);
    await second.flush();
    expect(await stored(again, day)).toBe(6);
    await second.close();
  });

  it("sees what another process counted (another replica on the same database) after its flush", async () => {
    const { db, dir } = await freshDb();
    const { db: other } = await freshDb(dir);
    const mine = new UsageCounter(db);
    const theirs = new UsageCounter(other);
    await mine.start();
    await theirs.start();
    theirs.increment(undefined, 4, 'b@example.com');
    await theirs.flush();
    mine.increment(undefined, 1, 'a@example.com');
    await mine.flush();
    expect(mine.calls()).toBe(5);
    expect(mine.callsBy('b@example.com')).toBe(4);
    await mine.close();
    await theirs.close();
  });
});

describe('UsageCounter per rep', () => {
  it("keeps each rep's count beside the company's, across a restart; a negative count takes calls back", async () => {
    const { db, dir } = await freshDb();
    const first = new UsageCounter(db);
    await first.start();
    first.increment(undefined, 3, 'a@example.com');
    first.increment(undefined, 2, 'b@example.com');
    first.increment(undefined, 2, 'a@example.com');
    first.increment(undefined, -2, 'a@example.com');
    expect(first.callsBy('a@example.com')).toBe(3);
    expect(first.calls()).toBe(5);
    await first.close();
    const { db: again } = await freshDb(dir);
    const second = new UsageCounter(again);
    await second.start();
    expect(second.callsBy('a@example.com')).toBe(3);
    expect(second.callsBy('b@example.com')).toBe(2);
    expect(second.callsBy('c@example.com')).toBe(0);
    second.increment(undefined, 1, 'b@example.com');
    expect(await second.byRep()).toEqual([
      { identifier: 'a@example.com', calls: 3 },
      { identifier: 'b@example.com', calls: 3 },
    ]);
    expect(second.calls()).toBe(6);
    await second.close();
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
      await vi.waitFor(async () => expect(await stored(t.backend.db, utcDay())).toBe(t.gong.stats().totalCalls), { timeout: 800, interval: 10 });
    } finally {
      await t.close();
    }
  });
});

describe('utcDay', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns at midnight UTC, also when the clock goes back, and names a given date', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T23:59:59.999Z'));
    expect(utcDay()).toBe('2026-03-01');
    vi.setSystemTime(new Date('2026-03-02T00:00:00.000Z'));
    expect(utcDay()).toBe('2026-03-02');
    vi.setSystemTime(new Date('2026-03-02T23:59:59.999Z'));
    expect(utcDay()).toBe('2026-03-02');
    // The clock was set back (NTP, a test): the day follows it.
    vi.setSystemTime(new Date('2026-02-28T12:00:00.000Z'));
    expect(utcDay()).toBe('2026-02-28');
    vi.setSystemTime(new Date('1969-12-31T23:00:00.000Z'));
    expect(utcDay()).toBe('1969-12-31');
    expect(utcDay(new Date('2024-02-29T23:30:00-05:00'))).toBe('2024-03-01');
  });
});
