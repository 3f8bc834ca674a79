/**
 * From one process to replicas (server/store/import-sqlite.ts, `npm run server -- store import <DATA_DIR>`): a
 * company that piloted on SQLite moves to Postgres and keeps its reps' tokens, audit, usage and unfinished jobs;
 * only an empty database is accepted, and a refusal changes nothing. Postgres only (the `backend-pg` project).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { SEED } from '../../server/sandbox/gong/seed';
import { JobStore } from '../../server/jobs/job-store';
import { openDb, openPostgres } from '../../server/store/db';
import { COPIED_TABLES, importSqlite, ImportRefused, MOMENT_TABLES, tablesOf } from '../../server/store/import-sqlite';
import type { Db } from '../../server/store/db';
import { DEMO_TOKEN, startTestBackend, tempDataDir, TEST_POSTGRES_URL, testDatabaseUrl, type TestBackend } from './harness';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dbs: Db[] = [];
const backends: TestBackend[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.close();
  for (const db of dbs.splice(0)) await db.close();
});

/** A pilot's SQLite store: the demo rep, a rep added by the admin, an assignment (audit, usage), an unfinished job. */
async function pilotStore(): Promise<{ dataDir: string; token: string; jobId: string }> {
  const dataDir = tempDataDir();
  // One process on SQLite, whatever engine this project tests.
  const pilot = await startTestBackend({ dataDir, env: { DATABASE_URL: '' } });
  expect(pilot.backend.db.engine).toBe('sqlite');
  const { token } = await pilot.backend.users.add('sam@example.com');
  expect((await pilot.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [SEED.sfContactNoFlows] } })).status).toBe(200);
  const demo = (await pilot.backend.users.byEmail('rep@example.com'))!;
  const created = await new JobStore(pilot.backend.db).create({ userId: demo.id, identifier: demo.email, flowId: SEED.flowId, ownerEmail: demo.email, coolOffOverride: false, crmIds: [SEED.sfContactNoFlows2] });
  const jobId = (created as { jobId: string }).jobId;
  // The single process held the job when it stopped.
  await pilot.backend.db.run('UPDATE jobs SET claimed_by = ?, lease_until = ? WHERE id = ?', ['pilot:1:x', Date.now() + 3_600_000, jobId]);
  await pilot.close();
  return { dataDir, token, jobId };
}

const count = async (db: Db, table: string) => (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n;

describe('store import: SQLite → Postgres', () => {
  it('every table of the schema is either copied or named as the moment\'s state', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const sqlite = openDb(tempDataDir());
    dbs.push(sqlite);
    const pg = await openPostgres(await testDatabaseUrl(tempDataDir()));
    dbs.push(pg);
    const named = [...COPIED_TABLES, ...MOMENT_TABLES].sort();
    expect(await tablesOf(sqlite)).toEqual(named);
    expect(await tablesOf(pg)).toEqual(named);
  });

  it('keeps reps\' tokens, the audit, usage and an unfinished job, which a replica then finishes', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const { dataDir, token, jobId } = await pilotStore();
    const source = openDb(dataDir);
    dbs.push(source);
    const replicaDir = tempDataDir();
    const target = await openPostgres(await testDatabaseUrl(replicaDir));
    dbs.push(target);
    const { rows } = await importSqlite(source, target);
    for (const table of COPIED_TABLES) expect([table, await count(target, table)]).toEqual([table, await count(source, table)]);
    expect(rows.users).toBeGreaterThanOrEqual(2);
    expect(rows.audit).toBeGreaterThan(0);
    expect(rows.job_items).toBe(1);

    // A replica on the new database: the rep's old token works, the pilot's usage is there, the job finishes.
    const replica = await startTestBackend({ dataDir: replicaDir });
    backends.push(replica);
    expect(replica.backend.db.engine).toBe('postgres');
    const me = await replica.api('GET', '/api/v1/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: 'sam@example.com' });
    expect(await count(target, 'gong_usage')).toBe(rows.gong_usage);
    const deadline = Date.now() + 30_000;
    while ((await target.get<{ status: string }>('SELECT status FROM jobs WHERE id = ?', [jobId]))!.status !== 'COMPLETED') {
      if (Date.now() > deadline) throw new Error('the imported job did not finish');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(replica.gong.state.flowInstancesByProspect(SEED.sfContactNoFlows2)).toHaveLength(1);
    // Ids continue after the copied ones: a new audit row and a new user are written.
    const before = await count(target, 'audit');
    expect((await replica.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [SEED.sfContactNoFlows] }, token: DEMO_TOKEN })).status).toBe(200);
    expect(await count(target, 'audit')).toBeGreaterThan(before);
    await replica.backend.users.add('new@example.com');
  });

  it('copies a table of many chunks whole, ids and all', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const source = openDb(tempDataDir());
    dbs.push(source);
    // 1,234 audit rows (the copy sends 500 at a time), with gaps in their ids.
    const insert = source.raw.prepare(`INSERT INTO audit (id, at, route, outcome, input) VALUES (?, ?, '/r', 'ok', ?)`);
    source.raw.transaction(() => {
      for (let i = 1; i <= 1_234; i++) insert.run(i * 3, new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), JSON.stringify({ n: i }));
    })();
    const target = await openPostgres(await testDatabaseUrl(tempDataDir()));
    dbs.push(target);
    expect((await importSqlite(source, target)).rows.audit).toBe(1_234);
    const copied = await target.all<{ id: number; input: string }>('SELECT id, input FROM audit ORDER BY id');
    expect(copied.map((r) => r.id)).toEqual(Array.from({ length: 1_234 }, (_, i) => (i + 1) * 3));
    expect(copied.map((r) => JSON.parse(r.input).n)).toEqual(Array.from({ length: 1_234 }, (_, i) => i + 1));
    // The next row continues after the last copied id.
    expect((await target.get<{ id: number }>(`INSERT INTO audit (at, route, outcome) VALUES ('2026-01-02', '/r', 'ok') RETURNING id`))!.id).toBe(1_234 * 3 + 1);
  });

  it('refuses a database that is not empty, and changes nothing', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const { dataDir } = await pilotStore();
    const source = openDb(dataDir);
    dbs.push(source);
    const target = await openPostgres(await testDatabaseUrl(tempDataDir()));
    dbs.push(target);
    await target.run(`INSERT INTO users (email, token_hash, created_at) VALUES ('someone@example.com', 'h', '2026-01-01T00:00:00.000Z')`);
    await expect(importSqlite(source, target)).rejects.toThrow(ImportRefused);
    await expect(importSqlite(source, target)).rejects.toThrow(/not empty \(users has 1 rows\)/);
    for (const table of COPIED_TABLES) expect([table, await count(target, table)]).toEqual([table, table === 'users' ? 1 : 0]);
  });

  it('refuses a store with a table this version does not know, copying nothing', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const { dataDir } = await pilotStore();
    const source = openDb(dataDir);
    dbs.push(source);
    await source.run('CREATE TABLE from_a_later_version (x TEXT)');
    const target = await openPostgres(await testDatabaseUrl(tempDataDir()));
    dbs.push(target);
    await expect(importSqlite(source, target)).rejects.toThrow(/tables this version does not know \(from_a_later_version\)/);
    expect(await count(target, 'users')).toBe(0);
  });

  it('the CLI imports a data directory into DATABASE_URL, and says why it will not', async () => {
    if (!TEST_POSTGRES_URL) throw new Error('runs in the backend-pg project (a PostgreSQL cluster)');
    const { dataDir } = await pilotStore();
    const url = await testDatabaseUrl(tempDataDir());
    const cli = (args: string[], env: Record<string, string>) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts'), ...args], { cwd: ROOT, env: { ...process.env, ...env } }).then(
        (r) => ({ code: 0, out: r.stdout, err: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }),
      );
    const noUrl = await cli(['store', 'import', dataDir], { DATABASE_URL: '' });
    expect(noUrl).toMatchObject({ code: 1 });
    expect(noUrl.err).toMatch(/Set DATABASE_URL/);
    const missing = await cli(['store', 'import', tempDataDir()], { DATABASE_URL: url });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/No SQLite store at/);
    const ok = await cli(['store', 'import', path.join(dataDir, 'backend.sqlite')], { DATABASE_URL: url });
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/users\t[1-9]/);
    const again = await cli(['store', 'import', dataDir], { DATABASE_URL: url });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/not empty/);
  });
});
