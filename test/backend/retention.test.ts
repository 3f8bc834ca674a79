/**
 * Retention (server/store/retention.ts): each table that grows with use is pruned by age, in batches, and only what
 * is past its time goes. On the engine under test.
 */
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEY_RETENTION_DAYS } from '../../lib/api';
import { JobStore } from '../../server/jobs/job-store';
import { AuditLog } from '../../server/store/audit';
import type { Db } from '../../server/store/db';
import { IdempotencyStore } from '../../server/store/idempotency';
import { ENDED_SESSION_DAYS, PRUNE_BATCH, pruneStore, type RetentionPolicy } from '../../server/store/retention';
import { SeenItems } from '../../server/store/seen-items';
import { SessionStore } from '../../server/store/sessions';
import { UserStore } from '../../server/store/users';
import { queryPlan as plan, startTestBackend, tempDataDir, useTestDb, waitFor } from './harness';

const testDb = useTestDb();
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const POLICY: RetentionPolicy = { jobDays: 30, auditDays: null };
const count = async (db: Db, rows: string, params: string[] = []) => Number((await db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${rows}`, params))!.n);

async function flowWrite(audit: AuditLog, crmIds: string[]): Promise<void> {
  await audit.record({
    userId: null,
    userEmail: 'rep@example.com',
    requestId: null,
    route: '/api/v1/flows/:flowId/assign',
    tool: 'gong_engage_prospects_assign',
    input: { flow_id: 'f1', crm_prospect_ids: crmIds },
    outcome: 'ok',
    answer: null,
  });
}

describe('retention', () => {
  it(`forgets idempotency keys after ${IDEMPOTENCY_KEY_RETENTION_DAYS} days, in batches, and replays younger ones`, async () => {
    const db = await testDb();
    const keys = new IdempotencyStore(db);
    const write = async () => ({ status: 200, body: { ok: true } });
    await keys.run(1, 'key-too-old', 'hash-a', write);
    await keys.run(1, 'key-still-kept', 'hash-b', write);
    await db.run('UPDATE idempotency SET created_at = ? WHERE key = ?', [daysAgo(IDEMPOTENCY_KEY_RETENTION_DAYS + 1), 'key-too-old']);
    await db.run('UPDATE idempotency SET created_at = ? WHERE key = ?', [daysAgo(IDEMPOTENCY_KEY_RETENTION_DAYS - 1), 'key-still-kept']);
    // A backlog larger than one batch: all of it goes.
    const old = daysAgo(IDEMPOTENCY_KEY_RETENTION_DAYS + 5);
    for (let i = 0; i < PRUNE_BATCH + 300; i += 500) {
      const n = Math.min(500, PRUNE_BATCH + 300 - i);
      await db.run(
        `INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at) VALUES ${Array(n).fill("(2, ?, 'h', 200, '{}', ?)").join(', ')}`,
        Array.from({ length: n }, (_, k) => [`backlog-${i + k}`, old]).flat(),
      );
    }

    const pruned = await pruneStore(db, POLICY);
    expect(pruned?.idempotencyKeys).toBe(PRUNE_BATCH + 301);
    expect(await count(db, 'idempotency')).toBe(1);
    expect(await keys.lookup(1, 'key-too-old', 'hash-a')).toEqual({ kind: 'new' });
    expect(await keys.lookup(1, 'key-still-kept', 'hash-b')).toEqual({ kind: 'replay', answer: { status: 200, body: { ok: true } } });
    expect(await plan(db, 'SELECT user_id, key FROM idempotency WHERE created_at < ?', [old])).toMatch(/idempotency_created_at/);
  });

  it('deletes finished jobs past JOB_RETENTION_DAYS with their per-prospect rows, never an unfinished one', async () => {
    const db = await testDb();
    const jobs = new JobStore(db);
    const job = async (status: string, updatedDaysAgo: number) => {
      const made = await jobs.create({ userId: 1, identifier: 'rep@example.com', flowId: 'f1', ownerEmail: 'rep@example.com', coolOffOverride: false, crmIds: ['003A', '003B', '003C'] });
      const id = (made as { jobId: string }).jobId;
      await db.run('UPDATE jobs SET status = ?, updated_at = ? WHERE id = ?', [status, daysAgo(updatedDaysAgo), id]);
      return id;
    };
    // More finished jobs than one batch takes.
    const gone = [];
    for (let i = 0; i < 12; i++) gone.push(await job(i % 2 ? 'COMPLETED' : 'FAILED', 31 + i));
    const recent = await job('COMPLETED', 29);
    const stuckPending = await job('PENDING', 90);
    const stuckRunning = await job('IN_PROGRESS', 90);

    const pruned = await pruneStore(db, POLICY);
    expect(pruned?.jobs).toBe(12);
    const left = (await db.all<{ id: string }>('SELECT id FROM jobs ORDER BY id')).map((r) => r.id);
    expect(left.sort()).toEqual([recent, stuckPending, stuckRunning].sort());
    expect(await count(db, 'job_items')).toBe(9);
    expect(await jobs.record(gone[0])).toBeUndefined();
  });

  it('forgets owners not seen for JOB_RETENTION_DAYS', async () => {
    const db = await testDb();
    const seen = new SeenItems(db);
    await seen.remember('flow-instance', [
      { id: 'old', owner: 'a@example.com' },
      { id: 'new', owner: 'b@example.com' },
    ]);
    await seen.remember('bulk-assignment', [{ id: 'old-bulk', owner: 'a@example.com' }]);
    await db.run("UPDATE seen_items SET seen_at = ? WHERE id <> 'new'", [daysAgo(31)]);
    await db.run("UPDATE seen_items SET seen_at = ? WHERE id = 'new'", [daysAgo(29)]);

    expect((await pruneStore(db, POLICY))?.seenItems).toBe(2);
    expect(await seen.ownerOf('flow-instance', 'old')).toBeUndefined();
    expect(await seen.ownerOf('flow-instance', 'new')).toBe('b@example.com');
  });
  it(`deletes sign-in sessions ended over ${ENDED_SESSION_DAYS} days ago, and only those`, async () => {
    const db = await testDb();
    const users = new UserStore(db);
    const sessions = new SessionStore(db, users);
    const { user } = await users.add('rep@example.com');
    const active = await sessions.issue(user.id, 'extension');
    const expiredLongAgo = await sessions.issue(user.id, 'browser');
    const expiredLately = await sessions.issue(user.id, 'browser');
    const revokedLongAgo = await sessions.issue(user.id, 'extension');
    const revokedLately = await sessions.issue(user.id, 'extension');
    await db.run('UPDATE sessions SET expires_at = ? WHERE id = ?', [Date.now() - (ENDED_SESSION_DAYS + 1) * DAY, expiredLongAgo.session.id]);
    await db.run('UPDATE sessions SET expires_at = ? WHERE id = ?', [Date.now() - 2 * DAY, expiredLately.session.id]);
    await db.run('UPDATE sessions SET revoked_at = ? WHERE id = ?', [daysAgo(ENDED_SESSION_DAYS + 1), revokedLongAgo.session.id]);
    await sessions.revoke(revokedLately.session.id);

    expect((await pruneStore(db, POLICY))?.sessions).toBe(2);
    const left = (await db.all<{ id: number | string }>('SELECT id FROM sessions')).map((r) => Number(r.id)).sort((a, b) => a - b);
    expect(left).toEqual([active.session.id, expiredLately.session.id, revokedLately.session.id].map(Number).sort((a, b) => a - b));
    // A revoked token of the last weeks is still told apart from an unknown one.
    expect(await sessions.authenticate(revokedLately.token, 'extension')).toBe('revoked');
    expect(await sessions.authenticate(active.token, 'extension')).toMatchObject({ user: { email: 'rep@example.com' } });
  });

  it('keeps the audit for ever unless AUDIT_RETENTION_DAYS is set; then deletes older entries and their prospect index rows', async () => {
    const db = await testDb();
    const audit = new AuditLog(db);
    await flowWrite(audit, ['003OLD1', '003BOTH']);
    await flowWrite(audit, ['003OLD2']);
    await db.run('UPDATE audit SET at = ?', [daysAgo(400)]);
    await flowWrite(audit, ['003NEW', '003BOTH']);
    expect(await count(db, 'audit_prospects')).toBe(5);

    expect((await pruneStore(db, { jobDays: 30, auditDays: null }))?.auditEntries).toBe(0);
    expect(await count(db, 'audit')).toBe(3);

    expect((await pruneStore(db, { jobDays: 30, auditDays: 365 }))?.auditEntries).toBe(2);
    expect(await count(db, 'audit')).toBe(1);
    expect(await count(db, 'audit_prospects')).toBe(2);
    expect(await audit.prospectFlowWrites('003OLD1')).toEqual([]);
    expect(await audit.prospectFlowWrites('003BOTH')).toHaveLength(1);
    expect(await plan(db, 'DELETE FROM audit_prospects WHERE audit_id IN (?, ?)', [1, 2])).toMatch(/audit_prospects_audit_id/);
  });

  it('stops between batches once the backend closes', async () => {
    const db = await testDb();
    const keys = new IdempotencyStore(db);
    await keys.run(1, 'key-too-old', 'hash-a', async () => ({ status: 200, body: {} }));
    await db.run('UPDATE idempotency SET created_at = ?', [daysAgo(IDEMPOTENCY_KEY_RETENTION_DAYS + 1)]);
    const closing = new AbortController();
    closing.abort();
    expect(await pruneStore(db, POLICY, { signal: closing.signal })).toEqual({ jobs: 0, seenItems: 0, idempotencyKeys: 0, sessions: 0, auditEntries: 0 });
    expect(await count(db, 'idempotency')).toBe(1);
  });

  it('two replicas pruning at once delete each row once, and neither fails', async () => {
    const db = await testDb();
    const old = daysAgo(IDEMPOTENCY_KEY_RETENTION_DAYS + 1);
    const n = 3 * PRUNE_BATCH;
    for (let i = 0; i < n; i += 500) {
      await db.run(
        `INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at) VALUES ${Array(500).fill("(3, ?, 'h', 200, '{}', ?)").join(', ')}`,
        Array.from({ length: 500 }, (_, k) => [`k-${i + k}`, old]).flat(),
      );
    }
    const [a, b] = await Promise.all([pruneStore(db, POLICY), pruneStore(db, POLICY)]);
    expect((a?.idempotencyKeys ?? 0) + (b?.idempotencyKeys ?? 0)).toBe(n);
    expect(await count(db, 'idempotency')).toBe(0);
  });

  it('a backend prunes at start, by AUDIT_RETENTION_DAYS from its environment, and closes cleanly', async () => {
    const dataDir = tempDataDir();
    const db = await testDb(dataDir);
    const audit = new AuditLog(db);
    await flowWrite(audit, ['003OLD']);
    await db.run('UPDATE audit SET at = ?', [daysAgo(40)]);
    await flowWrite(audit, ['003NEW']);
    const t = await startTestBackend({ dataDir, env: { AUDIT_RETENTION_DAYS: '30' } });
    try {
      await waitFor(async () => ((await count(db, 'audit WHERE at < ?', [daysAgo(30)])) === 0 ? true : undefined), 10_000);
      expect(await audit.prospectFlowWrites('003NEW')).toHaveLength(1);
      expect(await audit.prospectFlowWrites('003OLD')).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
