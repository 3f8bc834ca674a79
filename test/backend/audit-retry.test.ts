/**
 * The audit log keeps what it is given: a write that fails (the database restarting, a failover) is tried again;
 * one that never goes in is handed to the operator's log (onLost) instead of vanishing. Both engines.
 */
import { describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../server/store/audit';
import type { Db, SqlParam } from '../../server/store/sql';
import { useTestDb } from './harness';

const entry: AuditEntry = { userId: 7, userEmail: 'rep@example.com', requestId: 'job-1', route: 'job', tool: 'gong_engage_flows_prospects_assign', input: { flowId: 'f1' }, outcome: 'ok', answer: null };

/** The database, with its next `failures` audit inserts failing as a dropped connection would. */
function flaky(db: Db, failures: number): Db & { tries: () => number } {
  let tries = 0;
  return Object.assign(Object.create(db) as Db, {
    run: (sql: string, params?: SqlParam[]) => {
      if (/INSERT INTO (audit|access_denials)/.test(sql) && tries++ < failures) return Promise.reject(new Error('Connection terminated unexpectedly'));
      return db.run(sql, params);
    },
    get: (sql: string, params?: SqlParam[]) => {
      if (/INSERT INTO (audit|access_denials)/.test(sql) && tries++ < failures) return Promise.reject(new Error('Connection terminated unexpectedly'));
      return db.get(sql, params);
    },
    tries: () => tries,
  });
}

const testDb = useTestDb();

describe('audit log: a write that fails', () => {
  it('is tried again and lands', async () => {
    const db = await testDb();
    const lost: AuditEntry[] = [];
    const audit = new AuditLog(flaky(db, 2), undefined, { retryDelaysMs: [1, 1, 1] });
    audit.onLost = (e) => lost.push(e as AuditEntry);
    await audit.record(entry);
    await audit.settled();
    const rows = await db.all<{ user_email: string; request_id: string }>('SELECT user_email, request_id FROM audit');
    expect(rows).toEqual([{ user_email: 'rep@example.com', request_id: 'job-1' }]);
    expect(lost).toEqual([]);
  });

  it('that never goes in reaches the operator’s log with the whole entry, and its caller is told', async () => {
    const db = await testDb();
    const lost: { entry: unknown; err: unknown }[] = [];
    const failing = flaky(db, 100);
    const audit = new AuditLog(failing, undefined, { retryDelaysMs: [1, 1] });
    audit.onLost = (e, err) => lost.push({ entry: e, err });
    await expect(audit.record(entry)).rejects.toThrow(/Connection terminated/);
    await expect(audit.settled()).resolves.toBeUndefined(); // finished: nothing left under way
    expect(failing.tries()).toBe(3);
    expect(lost).toHaveLength(1);
    expect(lost[0].entry).toEqual(entry);
    expect(String(lost[0].err)).toMatch(/Connection terminated/);
    expect(await db.all('SELECT id FROM audit')).toEqual([]);
  });

  it("holds a request's answer for its own records only: another request's failing write is not its failure", async () => {
    const db = await testDb();
    const audit = new AuditLog(flaky(db, 100), undefined, { retryDelaysMs: [30, 30] });
    audit.onLost = () => undefined;
    const failing = audit.record({ ...entry, requestId: 'req-a' });
    failing.catch(() => undefined);
    expect(audit.writing('req-a')).toBe(true);
    expect(audit.writing('req-b')).toBe(false);
    await expect(audit.settled('req-b')).resolves.toBeUndefined();
    await expect(audit.settled('req-a')).rejects.toThrow(/Connection terminated/);
    // A refusal's record counts for its request too.
    const denied = audit.denied({ ip: null, method: 'GET', route: '/x', reason: 'FORBIDDEN', requestId: 'req-c' });
    denied.catch(() => undefined);
    expect(audit.writing('req-c')).toBe(true);
    await expect(audit.settled('req-c')).rejects.toThrow(/Connection terminated/);
  });

  it('a refusal’s record is tried again too', async () => {
    const db = await testDb();
    const audit = new AuditLog(flaky(db, 1), undefined, { retryDelaysMs: [1] });
    await audit.denied({ ip: '127.0.0.1', method: 'GET', route: '/api/v1/admin/people', reason: 'FORBIDDEN', userId: 7 });
    expect(await db.all<{ reason: string }>('SELECT reason FROM access_denials')).toEqual([{ reason: 'FORBIDDEN' }]);
  });
});
