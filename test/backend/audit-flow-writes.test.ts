/**
 * A prospect's flow writes (the source of its flow history) as the audit log answers them: every panel open asks,
 * so with SQLite the log keeps the last answer per prospect. Whatever it keeps, a write naming the prospect is in
 * the next answer, including one that landed while a read was under way or on a later try. The read looks the
 * prospect up in an index (`audit_prospects`), never passes over every flow write; rows audited before the index
 * existed are found through it too. Both engines.
 */
import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../server/store/audit';
import { AUDIT_PROSPECTS_VERSION } from '../../server/store/db';
import type { Db, Sql, SqlParam } from '../../server/store/sql';
import { openTestDb, tempDataDir, useTestDb } from './harness';

const assign = (ids: unknown, flowId = 'f1'): AuditEntry => ({
  userId: 7,
  userEmail: 'rep@example.com',
  requestId: null,
  route: 'POST /api/v1/flows/{flowId}/assign',
  tool: 'gong_engage_prospects_assign',
  input: { flow_id: flowId, crm_prospect_ids: ids },
  outcome: 'ok',
  answer: null,
});

/**
 * The database, with reads that answer only when `release` is called (their query already ran), and failing audit
 * inserts (in a transaction too).
 */
function gated(db: Db, opts: { failInserts?: number } = {}): Db & { hold(): void; release(): void } {
  let gate: Promise<void> | null = null;
  let open = () => {};
  let failures = opts.failInserts ?? 0;
  const failing = <T,>(sql: string, write: () => Promise<T>) =>
    /INSERT INTO audit /.test(sql) && failures-- > 0 ? Promise.reject(new Error('Connection terminated unexpectedly')) : write();
  const writes = (sql: Sql) => ({
    get: <T,>(s: string, p?: SqlParam[]) => failing(s, () => sql.get<T>(s, p)),
    run: (s: string, p?: SqlParam[]) => failing(s, () => sql.run(s, p)),
  });
  return Object.assign(Object.create(db) as Db, {
    all: async <T,>(sql: string, params?: SqlParam[]) => {
      const rows = db.all<T>(sql, params);
      if (gate) await gate;
      return rows;
    },
    ...writes(db),
    tx: <T,>(fn: (tx: Sql) => Promise<T>) => db.tx((tx) => fn(Object.assign(Object.create(tx) as Sql, writes(tx)))),
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release() {
      gate = null;
      open();
    },
  });
}

/** The database, keeping the SQL and parameters of every read. */
function watched(db: Db): Db & { reads: { sql: string; params: SqlParam[] }[] } {
  const reads: { sql: string; params: SqlParam[] }[] = [];
  return Object.assign(Object.create(db) as Db, {
    reads,
    all: <T,>(sql: string, params: SqlParam[] = []) => (reads.push({ sql, params }), db.all<T>(sql, params)),
  });
}

const flowIds = (rows: readonly { input: string | null }[]) => rows.map((r) => (JSON.parse(r.input!) as { flow_id: string }).flow_id);

const testDb = useTestDb();

describe("audit log: a prospect's flow writes", () => {
  it('include a write made after the prospect was last read (its id in any case), and only for the prospects it names', async () => {
    const db = await testDb();
    const audit = new AuditLog(db);
    expect(await audit.prospectFlowWrites('0038d00000AbCdEAAA')).toEqual([]);
    expect(await audit.prospectFlowWrites('0038d00000ZzZzZAAA')).toEqual([]);
    await audit.record(assign(['0038D00000ABCDEAAA']));
    await audit.settled();
    expect(flowIds(await audit.prospectFlowWrites('0038d00000AbCdEAAA'))).toEqual(['f1']);
    expect(await audit.prospectFlowWrites('0038d00000ZzZzZAAA')).toEqual([]);
    await audit.record(assign(['0038d00000abcdeAAA', '0038d00000ZzZzZAAA'], 'f2'));
    await audit.settled();
    expect(flowIds(await audit.prospectFlowWrites('0038d00000AbCdEAAA'))).toEqual(['f2', 'f1']);
    expect(flowIds(await audit.prospectFlowWrites('0038d00000ZzZzZAAA'))).toEqual(['f2']);
  });

  it('include a write that landed while a read was under way', async () => {
    const real = await testDb();
    const slow = gated(real);
    const audit = new AuditLog(slow);
    slow.hold();
    const reading = audit.prospectFlowWrites('0038d00000AbCdEAAA');
    await audit.record(assign(['0038d00000AbCdEAAA']));
    await audit.settled();
    slow.release();
    // The read began before the write: either answer is right for it, but what it saw must not be kept.
    await reading;
    expect(flowIds(await audit.prospectFlowWrites('0038d00000AbCdEAAA'))).toEqual(['f1']);
  });

  it('include a write that landed on a later try', async () => {
    const real = await testDb();
    const audit = new AuditLog(gated(real, { failInserts: 1 }), undefined, { retryDelaysMs: [30] });
    const written = audit.record(assign(['0038d00000AbCdEAAA']));
    // Read while the write waits for its second try: not there yet.
    expect(await audit.prospectFlowWrites('0038d00000AbCdEAAA')).toEqual([]);
    await written;
    expect(flowIds(await audit.prospectFlowWrites('0038d00000AbCdEAAA'))).toEqual(['f1']);
  });

  it('look the prospect up in an index, not through every flow write in the audit', async () => {
    const real = await testDb();
    const audit = new AuditLog(real);
    // 600 flow writes (and other rows) that name other prospects, 20 each; one names ours among them.
    for (let i = 0; i < 600; i++) {
      const ids = Array.from({ length: 20 }, (_, k) => `0038d00000X${String(i * 20 + k).padStart(6, '0')}`);
      if (i === 300) ids[7] = '0038D00000ABCDEAAA';
      await audit.record(assign(ids, `f${i}`));
      if (i % 100 === 0) await audit.record({ ...assign(['0038d00000AbCdEAAA'], 'refused'), outcome: 'refused' });
    }
    await audit.record({ ...assign(['0038d00000AbCdEAAA'], 'note'), tool: 'gong_engage_digital_interaction' });
    await audit.settled();
    await real.run('ANALYZE');
    const seen = watched(real);
    expect(flowIds(await new AuditLog(seen).prospectFlowWrites('0038d00000AbCdEAAA'))).toEqual(['f300']);
    expect(seen.reads).toHaveLength(1);
    const { sql, params } = seen.reads[0];
    if (real.engine === 'sqlite') {
      const plan = (await real.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail);
      // Each table is searched by key (the index's prefix, then the audit row by id); nothing is scanned or sorted.
      expect(plan).toEqual([expect.stringMatching(/^SEARCH p USING (PRIMARY KEY|COVERING INDEX \S+) \(crm_id=\?\)$/), expect.stringMatching(/^SEARCH a USING INTEGER PRIMARY KEY \(rowid=\?\)$/)]);
    } else {
      const plan = (await real.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index (Only )?Scan( Backward)? using audit_prospects_pkey on audit_prospects p/);
      expect(plan).toMatch(/Index Scan using audit_pkey on audit a/);
      expect(plan).not.toMatch(/Seq Scan|Sort|jsonb/);
    }
  });

  it('find rows audited before the index existed (the migration fills it)', async () => {
    const dataDir = tempDataDir();
    const before = await openTestDb(dataDir, { schemaVersion: AUDIT_PROSPECTS_VERSION - 1 });
    const insert = (tool: string, input: unknown, outcome = 'ok') =>
      before.run("INSERT INTO audit (at, route, tool, input, outcome, user_email) VALUES ('2026-11-03T10:00:00.000Z', '/x', ?, ?, ?, 'rep@example.com')", [
        tool,
        JSON.stringify(input),
        outcome,
      ]);
    try {
      await insert('gong_engage_prospects_assign', { flow_id: 'f1', crm_prospect_ids: ['0038D00000ABCDEAAA', '0038d00000ZzZzZAAA', '0038d00000abcdeAAA'] });
      await insert('gong_engage_prospects_assign_cool_off_override', { flow_id: 'f2', crm_prospect_ids: ['0038d00000zzzzzAAA'] });
      await insert('gong_engage_prospects_unassign', { flow_id: 'f3', crm_prospect_ids: ['0038d00000abcdeaaa', 42] });
      await insert('gong_engage_prospects_assign', { flow_id: 'refused', crm_prospect_ids: ['0038d00000AbCdEAAA'] }, 'refused');
      await insert('gong_engage_digital_interaction', { flow_id: 'other', crm_prospect_ids: ['0038d00000AbCdEAAA'] });
      await insert('gong_engage_prospects_assign', { flow_id: 'not-a-list', crm_prospect_ids: '0038d00000AbCdEAAA' });
    } finally {
      await before.close();
    }
    const db = await testDb(dataDir);
    const audit = new AuditLog(db);
    expect(flowIds(await audit.prospectFlowWrites('0038d00000AbCdEAAA'))).toEqual(['f3', 'f1']);
    expect(flowIds(await audit.prospectFlowWrites('0038D00000ZZZZZAAA'))).toEqual(['f2', 'f1']);
    expect(await db.all('SELECT crm_id, audit_id FROM audit_prospects ORDER BY audit_id, crm_id')).toEqual([
      { crm_id: '0038d00000abcdeaaa', audit_id: 1 },
      { crm_id: '0038d00000zzzzzaaa', audit_id: 1 },
      { crm_id: '0038d00000zzzzzaaa', audit_id: 2 },
      { crm_id: '0038d00000abcdeaaa', audit_id: 3 },
    ]);
    // A write after the migration joins them.
    await audit.record(assign(['0038d00000ABCDEaaa'], 'f4'));
    await audit.settled();
    expect(flowIds(await audit.prospectFlowWrites('0038d00000AbCdEAAA'))).toEqual(['f4', 'f3', 'f1']);
  });

  it('index a write with its audit row or not at all', async () => {
    const real = await testDb();
    const audit = new AuditLog(real, undefined, { retryDelaysMs: [] });
    // The index insert fails after the audit row went in: the transaction takes both back.
    const broken = Object.assign(Object.create(real) as Db, {
      tx: <T,>(fn: (tx: Sql) => Promise<T>) =>
        real.tx((tx) =>
          fn(Object.assign(Object.create(tx) as Sql, { run: (s: string, p?: SqlParam[]) => (/audit_prospects/.test(s) ? Promise.reject(new Error('disk full')) : tx.run(s, p)) })),
        ),
    });
    await expect(new AuditLog(broken, undefined, { retryDelaysMs: [] }).record(assign(['0038d00000AbCdEAAA']))).rejects.toThrow(/disk full/);
    expect(await real.all('SELECT id FROM audit')).toEqual([]);
    expect(await audit.prospectFlowWrites('0038d00000AbCdEAAA')).toEqual([]);
  });
});
