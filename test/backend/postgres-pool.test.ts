/**
 * A replica's Postgres pool is as large as DATABASE_POOL_SIZE says (an operator on a database with few connections
 * sizes it down). Postgres only (the `backend-pg` project).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresDb } from '../../server/store/sql';
import { startTestBackend, TEST_POSTGRES_URL, type TestBackend } from './harness';

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
