/**
 * A replica's Postgres pool is as large as DATABASE_POOL_SIZE says (an operator on a database with few connections
 * sizes it down), and doctor says when the replicas' pools would not fit in the server's connections.
 * Postgres only (the `backend-pg` project).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../server/doctor';
import { PostgresDb } from '../../server/store/sql';
import { engineEnv, startTestBackend, tempDataDir, TEST_POSTGRES_URL, type TestBackend } from './harness';

const backends: TestBackend[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.close();
});

describe('the Postgres pool', () => {
  it('opens at most DATABASE_POOL_SIZE connections, and the backend works within them', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const t = await startTestBackend({ env: { DATABASE_POOL_SIZE: '2' } });
    backends.push(t);
    const db = t.backend.db as PostgresDb;
    expect(db).toBeInstanceOf(PostgresDb);
    expect(db.pool.options.max).toBe(2);
    // Many requests at once share the two connections.
    const answers = await Promise.all(Array.from({ length: 20 }, () => t.api('GET', '/api/v1/me')));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(db.pool.totalCount).toBeLessThanOrEqual(2);
  });
});

describe('doctor: room on the Postgres server for the replicas', () => {
  const databaseRow = async (dataDir: string, poolSize: string) => {
    const report = await runDoctor({ env: { ...(await engineEnv(dataDir)), DATABASE_POOL_SIZE: poolSize }, dataDir });
    return report.rows.find((r) => r.check === 'database')!;
  };

  it('counts the replicas connected now and the connections the server allows', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const dataDir = tempDataDir();
    const t = await startTestBackend({ dataDir });
    backends.push(t);
    // The test cluster runs with max_connections 200, 3 of them kept for superusers.
    expect(await databaseRow(dataDir, '10')).toMatchObject({
      result: 'ok',
      detail: expect.stringMatching(/; 1 replica connected now, each up to 11 connections \(DATABASE_POOL_SIZE 10 \+ LISTEN\); the server allows 197, \d+ open$/),
      todo: '',
    });
  });

  it('warns when one more replica, as during a rolling restart, would not fit, and says what pool size would', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const dataDir = tempDataDir();
    const t = await startTestBackend({ dataDir });
    backends.push(t);
    // 2 replicas × (120 + 1) + 3 for the CLI = 245 > 197; (197 − 3) / 2 − 1 = 96 fits.
    expect(await databaseRow(dataDir, '120')).toMatchObject({
      result: 'warn',
      detail: expect.stringMatching(/the server allows 197, \d+ open: 2 replicas \(one more, as during a rolling restart\) could need 245$/),
      todo: 'Set DATABASE_POOL_SIZE to 96 or less on every replica, or raise the server\'s max_connections',
    });
  });
});
