/**
 * Gong's 3 calls per second shared by replicas through Postgres (server/gong/shared-limiter.ts): two limiters
 * on one database, as two replicas, never let Gong see more than 3 arrivals in a second, whatever the calls'
 * durations; a 429 on one pauses both; a slot a dead replica held comes back. Postgres only (the `backend-pg`
 * project): with SQLite there is one process and FairRateLimiter (limiter.test.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SharedRateLimiter } from '../../server/gong/shared-limiter';
import type { Db } from '../../server/store/db';
import { openTestDb, tempDataDir, TEST_POSTGRES_URL } from './harness';

const dbs: Db[] = [];
const limiters: SharedRateLimiter[] = [];
afterEach(async () => {
  for (const l of limiters.splice(0)) l.close();
  for (const db of dbs.splice(0)) await db.close();
});

async function replicas(n: number, maxCallMs = 30_000): Promise<SharedRateLimiter[]> {
  if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
  const dataDir = tempDataDir();
  const out: SharedRateLimiter[] = [];
  for (let i = 0; i < n; i++) {
    // Each replica has its own pool on the same database.
    const db = await openTestDb(dataDir);
    dbs.push(db);
    expect(db.engine).toBe('postgres');
    const limiter = await SharedRateLimiter.open(db, { rate: 3, windowMs: 1000, maxCallMs, replica: `replica-${i}` });
    limiters.push(limiter);
    out.push(limiter);
  }
  return out;
}

/** Any 4 calls whose [start, finish] spans all meet one 1-second window would let Gong see 4 arrivals in it. */
function worstWindow(calls: { start: number; finish: number }[]): number {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  let worst = Infinity;
  for (let k = 0; k + 3 < sorted.length; k++) {
    const four = sorted.slice(k, k + 4);
    worst = Math.min(worst, Math.max(...four.map((c) => c.start)) - Math.min(...four.map((c) => c.finish)));
  }
  return worst;
}

describe('SharedRateLimiter (two replicas, one Postgres)', () => {
  it('lets no 4 calls of either replica arrive within one second, whatever their durations', async () => {
    const [a, b] = await replicas(2);
    const calls: { start: number; finish: number; by: string }[] = [];
    const call = async (limiter: SharedRateLimiter, by: string, user: string, ms: number) => {
      const release = await limiter.acquire(user);
      const start = Date.now();
      await new Promise((r) => setTimeout(r, ms));
      const finish = Date.now();
      release();
      calls.push({ start, finish, by });
    };
    const t0 = Date.now();
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => call(a, 'a', `rep${i % 2}`, 10 + (i % 3) * 80)),
      ...Array.from({ length: 6 }, (_, i) => call(b, 'b', `rep${i % 3}`, 10 + (i % 2) * 150)),
    ]);
    expect(calls).toHaveLength(12);
    // Both replicas got calls through (neither starved).
    expect(calls.filter((c) => c.by === 'a').length).toBe(6);
    // A margin of a few ms for clock reads between this process and the database's.
    expect(worstWindow(calls)).toBeGreaterThanOrEqual(1000 - 5);
    // 12 calls at 3 per second: at least 3 windows.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000);
  }, 60_000);

  it("a 429 seen by one replica pauses the other's calls too", async () => {
    const [a, b] = await replicas(2);
    a.pauseFor(1500);
    // The pause reaches the database a moment later.
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    const release = await b.acquire('rep');
    const waited = Date.now() - t0;
    release();
    expect(waited).toBeGreaterThanOrEqual(1200);
    expect(b.pausedForMs()).toBeGreaterThanOrEqual(0);
  }, 30_000);

  it('a slot held by a replica that died mid-call comes back after maxCallMs', async () => {
    const [a, b] = await replicas(2, 1500);
    // Replica a takes all 3 slots and never releases them (it was killed).
    await Promise.all([a.acquire('x'), a.acquire('y'), a.acquire('z')]);
    const t0 = Date.now();
    const release = await b.acquire('rep');
    release();
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(1200);
    expect(waited).toBeLessThan(10_000);
  }, 30_000);
});
