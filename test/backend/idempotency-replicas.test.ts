/**
 * Idempotency keys across replicas (server/store/idempotency.ts), on the engine under test: two stores with their
 * own connections to one database, as two replicas behind a load balancer. A write retried on the other replica
 * while the first attempt runs reaches Gong once; the repeat is told to retry (409, not final), then replayed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IdempotencyStore, isFinalStatus } from '../../server/store/idempotency';
import type { Db } from '../../server/store/db';
import { openTestDb, tempDataDir } from './harness';

const dbs: Db[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
});

async function twoReplicas(): Promise<[IdempotencyStore, IdempotencyStore]> {
  const dir = tempDataDir();
  const a = await openTestDb(dir);
  const b = await openTestDb(dir);
  dbs.push(a, b);
  return [new IdempotencyStore(a), new IdempotencyStore(b)];
}

describe('idempotency keys across replicas', () => {
  it('a repeat on another replica while the first attempt runs: Gong once, the repeat told to retry, then replayed', async () => {
    const [a, b] = await twoReplicas();
    let attempts = 0;
    const attempt = async () => {
      attempts++;
      await new Promise((r) => setTimeout(r, 300));
      return { status: 200, body: { assigned: 1 } };
    };
    const first = a.run(1, 'key-00000001', 'fp', attempt);
    await new Promise((r) => setTimeout(r, 50));
    const repeat = await b.run(1, 'key-00000001', 'fp', attempt);
    expect(repeat).toMatchObject({ replayed: false, answer: { status: 409 } });
    expect(isFinalStatus((repeat as { answer: { status: number } }).answer.status)).toBe(false);
    expect(await first).toEqual({ answer: { status: 200, body: { assigned: 1 } }, replayed: false });
    expect(await b.run(1, 'key-00000001', 'fp', attempt)).toEqual({ answer: { status: 200, body: { assigned: 1 } }, replayed: true });
    expect(attempts).toBe(1);
    // The same key for another request is refused on any replica.
    expect(await b.run(1, 'key-00000001', 'other', attempt)).toEqual({ mismatch: true });
  });

  it('a first attempt that ends transiently (or throws) lets the next repeat, on any replica, be a first attempt', async () => {
    const [a, b] = await twoReplicas();
    expect(await a.run(1, 'key-00000002', 'fp', async () => ({ status: 503, body: {} }))).toMatchObject({ replayed: false, answer: { status: 503 } });
    await expect(b.run(1, 'key-00000002', 'fp', async () => Promise.reject(new Error('dropped')))).rejects.toThrow('dropped');
    expect(await a.run(1, 'key-00000002', 'fp', async () => ({ status: 200, body: { ok: true } }))).toEqual({ answer: { status: 200, body: { ok: true } }, replayed: false });
  });

  it('concurrent repeats in one process wait for the first attempt and share its answer', async () => {
    const [a] = await twoReplicas();
    let attempts = 0;
    const attempt = async () => {
      attempts++;
      await new Promise((r) => setTimeout(r, 100));
      return { status: 201, body: { n: attempts } };
    };
    const both = await Promise.all([a.run(7, 'key-00000003', 'fp', attempt), a.run(7, 'key-00000003', 'fp', attempt)]);
    expect(attempts).toBe(1);
    expect(both.map((r) => ('answer' in r ? r.answer.status : 0))).toEqual([201, 201]);
  });
});
