/**
 * A prospect's flow writes (the source of its flow history) as the audit log answers them: every panel open asks,
 * so with SQLite the log keeps the last answer per prospect. Whatever it keeps, a write naming the prospect is in
 * the next answer, including one that landed while a read was under way or on a later try. Both engines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../server/store/audit';
import type { Db, SqlParam } from '../../server/store/sql';
import { openTestDb } from './harness';

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

/** The database, with reads that answer only when `release` is called (their query already ran), and failing audit inserts. */
function gated(db: Db, opts: { failInserts?: number } = {}): Db & { hold(): void; release(): void } {
  let gate: Promise<void> | null = null;
  let open = () => {};
  let failures = opts.failInserts ?? 0;
  return Object.assign(Object.create(db) as Db, {
    all: async <T,>(sql: string, params?: SqlParam[]) => {
      const rows = db.all<T>(sql, params);
      if (gate) await gate;
      return rows;
    },
    run: (sql: string, params?: SqlParam[]) => {
      if (/INSERT INTO audit/.test(sql) && failures-- > 0) return Promise.reject(new Error('Connection terminated unexpectedly'));
      return db.run(sql, params);
    },
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release() {
      gate = null;
      open();
    },
  });
}

const flowIds = (rows: readonly { input: string | null }[]) => rows.map((r) => (JSON.parse(r.input!) as { flow_id: string }).flow_id);

let db: Db | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

describe("audit log: a prospect's flow writes", () => {
  it('include a write made after the prospect was last read (its id in any case), and only for the prospects it names', async () => {
    db = await openTestDb();
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
    const real = await openTestDb();
    db = real;
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
    const real = await openTestDb();
    db = real;
    const audit = new AuditLog(gated(real, { failInserts: 1 }), undefined, { retryDelaysMs: [30] });
    const written = audit.record(assign(['0038d00000AbCdEAAA']));
    // Read while the write waits for its second try: not there yet.
    expect(await audit.prospectFlowWrites('0038d00000AbCdEAAA')).toEqual([]);
    await written;
    expect(flowIds(await audit.prospectFlowWrites('0038d00000AbCdEAAA'))).toEqual(['f1']);
  });
});
