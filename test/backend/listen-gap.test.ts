/**
 * Replicas hear each other's writes over one LISTEN connection each (server/store/sql.ts). When that connection
 * drops (a Postgres restart, a failover, a proxy's idle timeout), what other replicas said meanwhile is lost: once
 * the replica listens again it must drop what it kept, or it serves reads a write made stale until they expire.
 * Postgres only (the `backend-pg` project): with SQLite there is one process and nothing to hear.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { prospectFlows } from '../../lib/api';
import { GongSimulator } from '../../server/sandbox/gong/simulator';
import { SEED } from '../../server/sandbox/gong/seed';
import type { Db } from '../../server/store/db';
import { LISTEN_APPLICATION_NAME } from '../../server/store/sql';
import { openTestDb, startTestBackend, tempDataDir, TEST_POSTGRES_URL, testDatabaseUrl, type TestBackend } from './harness';

const dbs: Db[] = [];
const backends: TestBackend[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.close();
  for (const db of dbs.splice(0)) await db.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ends every LISTEN connection on the database, as a server restart would; returns how many it ended. */
async function dropListenConnections(dataDir: string): Promise<number> {
  const name = new URL(await testDatabaseUrl(dataDir)).pathname.slice(1);
  // From the cluster's own database: the test's may be refusing connections.
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [
      name,
      LISTEN_APPLICATION_NAME,
    ]);
    return rows.length;
  } finally {
    await admin.end();
  }
}

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(20);
  }
}

/** Two stores on one database, as two replicas: B listens on a channel, counting what it hears and its gaps. */
async function twoStores(): Promise<{ dataDir: string; a: Db; heard: string[]; missed: () => number }> {
  if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
  const dataDir = tempDataDir();
  const [a, b] = [await openTestDb(dataDir), await openTestDb(dataDir)];
  dbs.push(a, b);
  const heard: string[] = [];
  let gaps = 0;
  await b.subscribe('test_channel', (p) => heard.push(p), () => gaps++);
  return { dataDir, a, heard, missed: () => gaps };
}

describe('a replica whose LISTEN connection dropped', () => {
  it('listens again, hears what is said after, and is told that it may have missed messages', async () => {
    const { dataDir, a, heard, missed } = await twoStores();
    await a.publish('test_channel', 'before');
    await waitFor(() => heard.length === 1);
    expect(await dropListenConnections(dataDir)).toBe(1);
    await waitFor(() => missed() === 1);
    await a.publish('test_channel', 'after');
    await waitFor(() => heard.length === 2);
    expect(heard).toEqual(['before', 'after']);
  });

  it('keeps trying while the database refuses connections, and listens again once it accepts them', async () => {
    const { dataDir, a, heard, missed } = await twoStores();
    const name = new URL(await testDatabaseUrl(dataDir)).pathname.slice(1);
    const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await admin.connect();
    try {
      // An outage: the connection ends and new ones are refused for a few of the replica's attempts.
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      expect(await dropListenConnections(dataDir)).toBe(1);
      const attempts = vi.spyOn(pg.Client.prototype, 'connect');
      await sleep(6_000);
      expect(missed()).toBe(0);
      // About one attempt a second, not a growing number of retry chains (the connection reports its loss twice).
      expect(attempts.mock.calls.length).toBeGreaterThanOrEqual(3);
      expect(attempts.mock.calls.length).toBeLessThanOrEqual(8);
      attempts.mockRestore();
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await waitFor(() => missed() === 1, 10_000);
    await a.publish('test_channel', 'after the outage');
    await waitFor(() => heard.length === 1);
    expect(heard).toEqual(['after the outage']);
  });

  it('drops its cached reads once it listens again: a write another replica made meanwhile is seen', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const dataDir = tempDataDir();
    // Two replicas on one database and one Gong.
    const gong = new GongSimulator({ latencyMs: 0 });
    const a = await startTestBackend({ dataDir, sandbox: { gong } });
    backends.push(a);
    const b = await startTestBackend({ dataDir, sandbox: { gong } });
    backends.push(b);
    const flowsOn = async (t: TestBackend) => prospectFlows.parse((await t.api('GET', `/api/v1/prospects/${SEED.sfContactNoFlows}/flows`)).body).flows;
    // B has the prospect's flows (none) in memory.
    expect(await flowsOn(b)).toEqual([]);
    // B's LISTEN connection drops; A assigns the prospect before B listens again (B retries after 500 ms).
    expect(await dropListenConnections(dataDir)).toBe(2);
    const assigned = await a.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [SEED.sfContactNoFlows] } });
    expect(assigned.status).toBe(200);
    expect(gong.state.flowInstancesByProspect(SEED.sfContactNoFlows)).toHaveLength(1);
    // Once B listens again (well within 2 s), it reads the assignment, not what it kept.
    await sleep(2_000);
    expect((await flowsOn(b)).map((f) => f.flowId)).toEqual([SEED.flowId]);
  });
});
