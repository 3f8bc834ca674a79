/**
 * Upgrades and rollbacks (docs/deploy.md "Upgrading"): during a rolling upgrade, and after a rollback, a replica runs
 * on a schema a later version migrated. Migrations only add, so it starts and serves as before. On the engine under
 * test.
 */
import { describe, expect, it } from 'vitest';
import { SEED } from '../../server/sandbox/gong/seed';
import { schemaVersionOf, type Db } from '../../server/store/db';
import { startTestBackend, tempDataDir, useTestDb } from './harness';

const testDb = useTestDb();

/** What a later version's migration might do: a new table, a new column with a default, a new index; recorded. */
async function migrateAsALaterVersion(db: Db): Promise<number> {
  const next = (await schemaVersionOf(db)) + 1;
  await db.run("ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en'");
  await db.run('CREATE TABLE saved_views (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, name TEXT NOT NULL)');
  await db.run('CREATE INDEX audit_outcome ON audit(outcome)');
  await db.run(db.engine === 'sqlite' ? `PRAGMA user_version = ${next}` : 'UPDATE schema_version SET version = ?', db.engine === 'sqlite' ? [] : [next]);
  return next;
}

describe('a replica on a schema a later version made', () => {
  it('starts, reads and writes as before, and leaves the later schema as it found it', async () => {
    const dataDir = tempDataDir();
    const db = await testDb(dataDir);
    const later = await migrateAsALaterVersion(db);

    const t = await startTestBackend({ dataDir });
    try {
      expect((await t.api('GET', '/readyz')).status).toBe(200);
      expect((await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`)).status).toBe(200);
      const write = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, {
        body: { crmProspectIds: [SEED.sfContactNoFlows] },
        headers: { 'idempotency-key': 'upgrade-write-0001' },
      });
      expect(write.status).toBe(200);
      expect(t.gong.state.flowInstancesByProspect(SEED.sfContactNoFlows).map((i) => i.flowId)).toContain(SEED.flowId);
    } finally {
      await t.close();
    }
    expect(await schemaVersionOf(db)).toBe(later);
    // The later version's column got its default for what this one wrote.
    expect(await db.all<{ locale: string }>('SELECT DISTINCT locale FROM users')).toEqual([{ locale: 'en' }]);
  });
});
