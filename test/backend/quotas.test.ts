/**
 * Budgets and quotas per rep: each rep's daily share of the company's Gong budget (what is left for the
 * others stays theirs), calls Scalekit refused or that failed before Gong answered never count, /usage
 * shows a rep their own share and an admin everyone's, bulk jobs are limited per rep (open jobs, ids in
 * flight, and only on a connected Gong), finished jobs are deleted after the retention period, and the
 * calls route takes only a few `days` windows.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { apiError, jobAccepted, usage } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, FAST_RETRIES, openTestDb, startTestBackend, tempDataDir, waitFor, type TestBackend } from './harness';

const open: TestBackend[] = [];
afterAll(async () => {
  for (const t of open) await t.close().catch(() => undefined);
});
async function start(opts: Parameters<typeof startTestBackend>[0]): Promise<TestBackend> {
  const t = await startTestBackend(opts);
  open.push(t);
  return t;
}
/** One Gong call a rep may always make (the backends here cache nothing: `cacheTtlMs: 0`). */
const call = (t: TestBackend, token?: string) => t.api('POST', '/api/v1/tools/gong_engage_workspaces_list', { body: {}, token });

describe("each rep's share of the daily Gong budget", () => {
  it('refuses a rep past their share (GONG_DAILY_CALLS_PER_REP) while other reps go on', async () => {
    const t = await start({ env: { GONG_DAILY_CALLS_PER_REP: '3' }, gong: { cacheTtlMs: 0 } });
    const sam = await addConnectedUser(t, SEED.otherRepEmail);
    for (let i = 0; i < 3; i++) expect((await call(t)).status).toBe(200);
    const before = t.gong.stats().totalCalls;
    const over = await call(t);
    expect(over.status).toBe(429);
    const error = apiError.parse(over.body).error;
    expect(error.code).toBe('GONG_RATE_LIMITED');
    expect(error.message).toMatch(/your share/i);
    expect(error.retryAfter).toBeGreaterThan(0);
    expect(t.gong.stats().totalCalls).toBe(before);
    expect((await call(t, sam)).status).toBe(200);
    const mine = usage.parse((await t.api('GET', '/api/v1/usage')).body);
    expect(mine).toMatchObject({ gongCalls: 4, you: { email: SEED.repEmail, gongCalls: 3, dailyShare: 3, remaining: 0 } });
    expect(mine.reps).toBeUndefined();
  });

  it("a lookup that carries other reps' prospects is the company's: it counts against no rep's share", async () => {
    // A team of 500 shares 10,000 calls: 20 each. Lookups shared across reps are ~40% of the calls; charged to whoever
    // sent them, a third of the reps ran out of their share in the bench's day (bench/README.md).
    const t = await start({ env: { GONG_DAILY_CALLS_PER_REP: '1' }, gong: { prospectFlowsBatchMs: 400 } });
    const sam = await addConnectedUser(t, SEED.otherRepEmail);
    const you = async (token?: string) => usage.parse((await t.api('GET', '/api/v1/usage', { token })).body);
    // Two reps' list prefetches within one window: one call, for both.
    const mine = t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: [SEED.sfContactWithFlows] } });
    await new Promise((r) => setTimeout(r, 100));
    const theirs = t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: [SEED.sfLeadInFlow] }, token: sam });
    expect((await mine).status).toBe(200);
    expect((await theirs).status).toBe(200);
    expect(t.gong.stats().byTool.gong_engage_prospects_flows_list).toBe(1);
    expect((await you()).gongCalls).toBe(1);
    expect((await you()).you.gongCalls).toBe(0);
    expect((await you(sam)).you.gongCalls).toBe(0);
    // A lookup of one rep's own prospects alone is theirs: it uses their share (1), and their next call is refused.
    expect((await t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: [SEED.sfContactNoFlows] }, token: sam })).status).toBe(200);
    expect((await you(sam)).you.gongCalls).toBe(1);
    expect((await call(t, sam)).status).toBe(429);
    // The rep whose request sent the shared call still has their whole share.
    expect((await call(t)).status).toBe(200);
  });

  it("the company's calls index is the company's: a rep's refresh of it uses no share", async () => {
    const t = await start({ env: { GONG_DAILY_CALLS_PER_REP: '1' } });
    const before = t.gong.stats().totalCalls;
    expect((await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls`)).status).toBe(200);
    expect(t.gong.stats().totalCalls).toBeGreaterThan(before);
    const mine = usage.parse((await t.api('GET', '/api/v1/usage')).body);
    expect(mine.gongCalls).toBe(t.gong.stats().totalCalls - before);
    expect(mine.you.gongCalls).toBe(0);
    expect((await call(t)).status).toBe(200);
  });

  it('by default gives every active user an equal part of the budget', async () => {
    const t = await start({ gong: { dailyBudget: 60 } });
    const share = async () => usage.parse((await t.api('GET', '/api/v1/usage')).body).you.dailyShare;
    // The sandbox starts with its demo rep, manager and admin.
    expect((await t.backend.users.list()).filter((u) => !u.revokedAt)).toHaveLength(3);
    expect(await share()).toBe(20);
    await addConnectedUser(t, SEED.otherRepEmail);
    expect(await share()).toBe(15);
    await addConnectedUser(t, 'fifth.rep@example.com');
    expect(await share()).toBe(12);
    (await t.backend.users.revoke('fifth.rep@example.com'));
    expect(await share()).toBe(15);
  });

  it('shows an admin every rep who used Gong today', async () => {
    const t = await start({ gong: { cacheTtlMs: 0 } });
    const sam = await addConnectedUser(t, SEED.otherRepEmail);
    const admin = (await t.backend.users.add('it.admin@example.com', undefined, 'admin')).token;
    await call(t);
    await call(t);
    await call(t, sam);
    const res = usage.parse((await t.api('GET', '/api/v1/usage', { token: admin })).body);
    expect(res.you).toMatchObject({ email: 'it.admin@example.com', gongCalls: 0 });
    expect(res.reps).toEqual(
      expect.arrayContaining([
        { email: SEED.repEmail, gongCalls: 2 },
        { email: SEED.otherRepEmail, gongCalls: 1 },
      ]),
    );
  });
});

describe('calls that never reached Gong', () => {
  it('do not count: a rep whose Gong is not connected, and calls that failed before Gong answered', async () => {
    const t = await start({ gong: { ...FAST_RETRIES, cacheTtlMs: 0 } });
    const stranger = (await t.backend.users.add('not.connected@example.com')).token;
    const refused = await t.api('GET', '/api/v1/workspaces', { token: stranger });
    expect(refused.status).toBe(409);
    let u = usage.parse((await t.api('GET', '/api/v1/usage')).body);
    expect(u.gongCalls).toBe(0);
    // Two dropped connections, then an answer: one Gong call counted, for the company and for the rep.
    t.gong.faults.set({ tool: 'gong_engage_workspaces_list', kind: 'drop', times: 2 });
    expect((await t.api('GET', '/api/v1/workspaces')).status).toBe(200);
    u = usage.parse((await t.api('GET', '/api/v1/usage')).body);
    expect(u.gongCalls).toBe(1);
    expect(u.you.gongCalls).toBe(1);
  });
});

describe('bulk jobs per rep', () => {
  const ids = (n: number, from: number) => Array.from({ length: n }, (_, i) => String(from + i));

  it('limits open jobs and ids in flight, refusing the excess before anything is stored', async () => {
    const t = await start({ env: { MAX_OPEN_JOBS_PER_REP: '2', MAX_IDS_IN_FLIGHT_PER_REP: '700' } });
    // Jobs stay open while Gong is slow.
    t.gong.faults.set({ tool: 'gong_engage_prospects_assign', kind: 'slow', delayMs: 1500, times: Infinity });
    const assign = (n: number, from: number, token?: string) =>
      t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: ids(n, from) }, token });
    const first = await assign(300, 880_000_000);
    expect(first.status).toBe(202);
    const jobsBefore = (await t.backend.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM jobs'))!.n;
    const tooMany = await assign(450, 881_000_000);
    expect(tooMany.status).toBe(429);
    expect(apiError.parse(tooMany.body).error.message).toMatch(/in flight/);
    expect(await assign(300, 882_000_000).then((r) => r.status)).toBe(202);
    const third = await assign(201, 883_000_000);
    expect(third.status).toBe(429);
    expect(apiError.parse(third.body).error.message).toMatch(/open/);
    expect((await t.backend.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM jobs'))!.n).toBe(jobsBefore + 1);
    // Another rep has their own allowance.
    const sam = await addConnectedUser(t, SEED.otherRepEmail);
    expect((await assign(201, 884_000_000, sam)).status).toBe(202);
    // Once a job finishes, there is room again.
    t.gong.faults.clear();
    const { jobId } = jobAccepted.parse(first.body);
    await waitFor(async () => ((await t.api('GET', `/api/v1/jobs/${jobId}?results=0`)).body.status === 'COMPLETED' ? true : undefined));
    expect((await assign(201, 885_000_000)).status).toBe(202);
  });

  it('refuses a job from a rep whose Gong is not connected', async () => {
    const t = await start({});
    const stranger = (await t.backend.users.add('not.connected@example.com')).token;
    const res = await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: ids(300, 886_000_000) }, token: stranger });
    expect(res.status).toBe(409);
    expect(apiError.parse(res.body).error.code).toBe('GONG_NOT_CONNECTED');
    expect((await t.backend.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM jobs'))!.n).toBe(0);
  });

  it('deletes finished jobs and their items after the retention period (JOB_RETENTION_DAYS), from start', async () => {
    const dataDir = tempDataDir();
    const t = await startTestBackend({ dataDir });
    const accepted: string[] = [];
    for (const from of [887_000_000, 888_000_000]) {
      const res = await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: ids(201, from) } });
      accepted.push(jobAccepted.parse(res.body).jobId);
    }
    for (const id of accepted) await waitFor(async () => ((await t.api('GET', `/api/v1/jobs/${id}?results=0`)).body.status === 'COMPLETED' ? true : undefined));
    await t.close();
    const db = await openTestDb(dataDir);
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    await db.run('UPDATE jobs SET updated_at = ? WHERE id = ?', [daysAgo(11), accepted[0]]);
    await db.run('UPDATE jobs SET updated_at = ? WHERE id = ?', [daysAgo(9), accepted[1]]);
    await db.close();
    const again = await start({ dataDir, env: { JOB_RETENTION_DAYS: '10' } });
    // Pruned in the background from start (server/store/retention.ts).
    await waitFor(async () => ((await again.api('GET', `/api/v1/jobs/${accepted[0]}`)).status === 404 ? true : undefined), 10_000);
    expect((await again.api('GET', `/api/v1/jobs/${accepted[1]}`)).status).toBe(200);
    const items = await again.backend.db.all<{ id: string; n: number }>('SELECT job_id AS id, COUNT(*) AS n FROM job_items GROUP BY job_id');
    expect(items).toEqual([{ id: accepted[1], n: 201 }]);
  });
});

describe('the calls window', () => {
  it('takes only the listed `days` windows', async () => {
    const t = await start({});
    for (const days of ['45', '1', '366', '0', 'x']) {
      const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls?days=${days}`);
      expect(res.status, days).toBe(400);
      expect(apiError.parse(res.body).error.code).toBe('VALIDATION_FAILED');
    }
    for (const days of ['7', '30', '90', '180', '365']) {
      expect((await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls?days=${days}`)).status, days).toBe(200);
    }
  });
});
