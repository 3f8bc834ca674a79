/**
 * The admin console's audit queries at a team's scale (server/store/audit.ts, indexes of migration 12): filtered by
 * action or person and listing the actions, each reads an index, not every row of an audit that grows by ~25,000
 * rows a day at 500 reps. On the engine under test.
 */
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../server/store/audit';
import type { Db } from '../../server/store/db';
import { queryPlan as plan, useTestDb } from './harness';

const testDb = useTestDb();

async function fill(db: Db, n: number): Promise<void> {
  const audit = new AuditLog(db);
  for (let i = 0; i < n; i++) {
    await audit.record({
      userId: null,
      userEmail: `rep${i % 4}@example.com`,
      requestId: null,
      route: `/api/v1/route-${i % 3}`,
      // Every third entry is a route's own action (no Gong tool).
      tool: i % 3 === 0 ? null : `gong_tool_${i % 5}`,
      input: null,
      outcome: 'ok',
      answer: null,
    });
  }
}

describe('the audit at a team\'s scale', () => {
  it('lists each action once, in order, tools and routes alike', async () => {
    const db = await testDb();
    await fill(db, 60);
    const audit = new AuditLog(db);
    const expected = (await db.all<{ action: string }>('SELECT DISTINCT COALESCE(tool, route) AS action FROM audit')).map((r) => r.action).sort();
    expect(expected).toHaveLength(6);
    expect((await audit.actions()).slice().sort()).toEqual(expected);
    expect(await audit.actions()).toEqual(expected);
    expect(await new AuditLog(await testDb()).actions()).toEqual([]);
  });

  it('filters by action and by person through indexes, newest first', async () => {
    const db = await testDb();
    await fill(db, 60);
    const audit = new AuditLog(db);
    const byAction = await audit.page({ action: 'gong_tool_1', limit: 5 });
    expect(byAction.entries.map((e) => e.action)).toEqual(Array(5).fill('gong_tool_1'));
    expect(byAction.entries.map((e) => e.id)).toEqual([...byAction.entries.map((e) => e.id)].sort((a, b) => b - a));
    const byPerson = await audit.page({ userEmail: 'REP2@example.com', limit: 50 });
    expect(byPerson.entries).toHaveLength(15);
    expect(await plan(db, 'SELECT id FROM audit WHERE COALESCE(tool, route) = ? ORDER BY id DESC LIMIT 5', ['gong_tool_1'])).toMatch(/audit_action/);
    expect(await plan(db, 'SELECT id FROM audit WHERE user_email = ? ORDER BY id DESC LIMIT 5', ['rep2@example.com'])).toMatch(/audit_email/);
    expect(await plan(db, 'SELECT MIN(COALESCE(tool, route)) FROM audit WHERE COALESCE(tool, route) > ?', ['gong_tool_1'])).toMatch(/audit_action/);
  });

  it('filters by dates through an index: a day months back is not found by reading every newer row', async () => {
    const db = await testDb();
    await fill(db, 60);
    // The page's own query, as AuditLog.page builds it for a date range.
    const sql = 'SELECT id FROM audit WHERE at >= ? AND at < ? ORDER BY id DESC LIMIT 21';
    expect(await plan(db, sql, ['2026-03-01', '2026-03-02'])).toMatch(/audit_at/);
    const audit = new AuditLog(db);
    const all = await db.all<{ id: number; at: string }>('SELECT id, at FROM audit ORDER BY id');
    const day = all[0].at.slice(0, 10);
    const page = await audit.page({ from: day, to: day, limit: 100 });
    expect(page.entries.map((e) => e.id)).toEqual(all.filter((r) => r.at.slice(0, 10) === day).map((r) => r.id).reverse());
  });
});
