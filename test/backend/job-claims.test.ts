/**
 * Job claims (server/jobs/job-store.ts), on the engine under test: a job runs on the one replica holding its
 * lease; another takes it over only once the lease ran out, and the one that lost it can no longer mark
 * anything sent. Replicas are JobStores with their own connections to one database.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JobStore, LeaseLost } from '../../server/jobs/job-store';
import type { Db } from '../../server/store/db';
import { UserStore } from '../../server/store/users';
import { openTestDb, tempDataDir } from './harness';

const dbs: Db[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
});

async function replicas(n: number): Promise<{ stores: JobStore[]; userId: number; db: Db }> {
  const dataDir = tempDataDir();
  const stores: JobStore[] = [];
  let first: Db | undefined;
  for (let i = 0; i < n; i++) {
    const db = await openTestDb(dataDir);
    dbs.push(db);
    first ??= db;
    stores.push(new JobStore(db));
  }
  const { user } = await new UserStore(first!).add('rep@example.com');
  return { stores, userId: user.id, db: first! };
}

const newJob = (store: JobStore, userId: number, n = 3) =>
  store.create({ userId, identifier: 'rep@example.com', flowId: 'f1', ownerEmail: 'rep@example.com', coolOffOverride: false, crmIds: Array.from({ length: n }, (_, i) => `00${i}`) });

describe('job claims', () => {
  it('one replica holds a job; another takes it over only after the lease ran out, and the first can no longer send', async () => {
    const { stores: [a, b], userId, db } = await replicas(2);
    const created = await newJob(a, userId);
    if (!('jobId' in created)) throw new Error('not created');
    const { jobId } = created;
    expect(await a.claim(jobId, 'A', 400)).toBe(true);
    expect(await b.claim(jobId, 'B', 400)).toBe(false);
    expect(await b.claimNext('B', 400)).toBeUndefined();
    expect(await a.renew(jobId, 'A', 400)).toBe(true);
    await a.markSent(jobId, [0], 'A');
    // A stops renewing (it died): once the lease is over, B claims the job.
    await new Promise((r) => setTimeout(r, 600));
    expect(await b.claimNext('B', 10_000)).toBe(jobId);
    expect(await a.renew(jobId, 'A', 400)).toBe(false);
    await expect(a.markSent(jobId, [1], 'A')).rejects.toBeInstanceOf(LeaseLost);
    const states = await db.all<{ idx: number; state: string }>('SELECT idx, state FROM job_items WHERE job_id = ? ORDER BY idx', [jobId]);
    expect(states.map((s) => s.state)).toEqual(['sent', 'pending', 'pending']);
    // The item A sent before it died comes first for B (to be checked against Gong).
    expect((await b.nextBatch(jobId, 10)).map((i) => [i.idx, i.state])).toEqual([
      [0, 'sent'],
      [1, 'pending'],
      [2, 'pending'],
    ]);
    // A finished job lets go of its claim.
    await b.setStatus(jobId, 'COMPLETED');
    expect(await db.get('SELECT claimed_by AS "claimedBy", lease_until AS "leaseUntil" FROM jobs WHERE id = ?', [jobId])).toEqual({ claimedBy: null, leaseUntil: null });
  });

  it('replicas claiming at once never claim the same job twice', async () => {
    const { stores, userId } = await replicas(4);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await stores[0].create({ userId, identifier: 'rep@example.com', flowId: 'f1', ownerEmail: 'rep@example.com', coolOffOverride: false, crmIds: [`x${i}`] });
      if ('jobId' in created) ids.push(created.jobId);
    }
    const claimed = await Promise.all(stores.flatMap((s, k) => [s.claimNext(`R${k}`, 10_000), s.claimNext(`R${k}`, 10_000)]));
    const got = claimed.filter((id): id is string => id !== undefined);
    expect(got).toHaveLength(6);
    expect(new Set(got)).toEqual(new Set(ids));
  });

  it('a replica that stops lets go of its jobs: another claims them at once', async () => {
    const { stores: [a, b], userId } = await replicas(2);
    const created = await newJob(a, userId);
    if (!('jobId' in created)) throw new Error('not created');
    expect(await a.claim(created.jobId, 'A', 60_000)).toBe(true);
    await a.release(created.jobId, 'A');
    expect(await b.claimNext('B', 60_000)).toBe(created.jobId);
  });
});
