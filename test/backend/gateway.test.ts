/**
 * The Gong gateway seen from outside: the per-company limiter keeps Gong at ≤ 3 calls/s under a
 * burst from two users (no 429 reaches anyone), injected 429/5xx are retried, identical reads in
 * flight become one Gong call, cached reads are invalidated by writes, and /usage counts the day.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiError, assignResult, prospectFlows, usage } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, ADMIN_EMAIL, FAST_RETRIES, startTestBackend, type TestBackend } from './harness';

let t: TestBackend;
let samToken: string;
beforeAll(async () => {
  t = await startTestBackend({ gong: FAST_RETRIES });
  samToken = await addConnectedUser(t, SEED.otherRepEmail);
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => t.gong.faults.clear());

describe('Gong gateway', () => {
  it('keeps a burst from two users under 3 calls/s with no 429 reaching either (real 3/s limit)', async () => {
    const start = Date.now();
    const ids = [SEED.sfContactWithFlows, SEED.sfContactNoFlows, SEED.coolOff, SEED.sfContactNoFlows2, SEED.sfLead, SEED.sfLeadInFlow, SEED.hubspotContact, SEED.hubspotContactNoFlows, SEED.hubspotLead];
    // Through the tool route: its reads are cached per user, so 2 users × 9 prospects = 18 Gong calls.
    // (The prospect-flows route shares a company-wide cache and batches concurrent lookups.)
    const read = (id: string, token: string | undefined) =>
      t.api('POST', '/api/v1/tools/gong_engage_prospects_flows_list', { token, body: { crm_prospect_ids: [id] } });
    const requests = ids.flatMap((id, i) => [read(id, i % 2 ? samToken : undefined), read(id, i % 2 ? undefined : samToken)]);
    const answers = await Promise.all(requests);
    for (const a of answers) expect(a.status, JSON.stringify(a.body)).toBe(200);
    const stats = t.gong.stats();
    expect(stats.totalCalls).toBe(18);
    expect(stats.rateLimited).toBe(0);
    expect(stats.maxCallsInAnySecond).toBeLessThanOrEqual(3);
    // 18 calls at 3/s cannot take less than 5 full windows.
    expect(Date.now() - start).toBeGreaterThanOrEqual(5_000);
  });

  it('retries an injected 429 once after the company backed off, and 5xx with backoff; the caller sees success', async () => {
    t.gong.faults.set({ tool: 'gong_engage_workspaces_list', kind: '429', times: 1, retryAfter: 1 });
    t.gong.faults.set({ tool: 'gong_engage_flow_folders_list', kind: '503', times: 2 });
    t.gong.faults.set({ tool: 'gong_engage_users_list', kind: '500', times: 1 });
    const before = t.backend.gateway.stats.retries;
    const [ws, folders, users] = await Promise.all([
      t.api('GET', '/api/v1/workspaces'),
      t.api('GET', '/api/v1/flows/folders'),
      t.api('POST', '/api/v1/tools/gong_engage_users_list', { token: await adminToken(t), body: {} }),
    ]);
    expect(ws.status).toBe(200);
    expect(ws.body.workspaces.map((w: { id: string }) => w.id)).toContain(SEED.workspaceId);
    expect(folders.status).toBe(200);
    expect(users.status).toBe(200);
    expect(t.backend.gateway.stats.retries - before).toBe(4);
  });

  it('gives up after its bounded retries: 429 GONG_RATE_LIMITED with retryAfter, 502 GONG_UNAVAILABLE', async () => {
    t.gong.faults.set({ tool: 'gong_trackers_list', kind: '429', times: Infinity, retryAfter: 1 });
    const trackerCalls = () => t.gong.stats().byTool.gong_trackers_list ?? 0;
    const calls429 = trackerCalls();
    const limited = await t.api('POST', '/api/v1/tools/gong_trackers_list', { token: await adminToken(t), body: {} });
    expect(limited.status).toBe(429);
    // The first call and one retry after the company backed off; the limiter is still paused for the next caller.
    expect(trackerCalls() - calls429).toBe(2);
    expect(t.backend.gateway.stats.limiterPausedMs).toBeGreaterThan(0);
    const err = apiError.parse(limited.body).error;
    expect(err.code).toBe('GONG_RATE_LIMITED');
    expect(err.retryAfter).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('retry-after')).toBe(String(err.retryAfter));
    t.gong.faults.clear();
    t.gong.faults.set({ tool: 'gong_scorecards_list', kind: '503', times: Infinity });
    const before = t.gong.stats().byTool.gong_scorecards_list ?? 0;
    const down = await t.api('POST', '/api/v1/tools/gong_scorecards_list', { token: await adminToken(t), body: {} });
    expect(down.status).toBe(502);
    expect(apiError.parse(down.body).error.code).toBe('GONG_UNAVAILABLE');
    expect((t.gong.stats().byTool.gong_scorecards_list ?? 0) - before).toBe(t.backend.gateway.options.maxAttempts);
  });

  it('coalesces identical reads in flight into one Gong call and serves repeats from the cache', async () => {
    const id = SEED.sfContactNoFlows2;
    t.gong.faults.set({ tool: 'gong_engage_prospects_flows_list', kind: 'slow', delayMs: 400, times: 1 });
    const before = t.gong.stats().byTool.gong_engage_prospects_flows_list ?? 0;
    const answers = await Promise.all(Array.from({ length: 6 }, () => t.api('GET', `/api/v1/prospects/${id}/flows`)));
    for (const a of answers) expect(a.status).toBe(200);
    expect((t.gong.stats().byTool.gong_engage_prospects_flows_list ?? 0) - before).toBe(1);
    const again = await t.api('GET', `/api/v1/prospects/${id}/flows`);
    expect(again.status).toBe(200);
    expect((t.gong.stats().byTool.gong_engage_prospects_flows_list ?? 0) - before).toBe(1);
    for (const a of answers) expect(a.body).toEqual(again.body);
  });

  it("invalidates a prospect's cached flows when anyone assigns it", async () => {
    const id = SEED.hubspotContactNoFlows;
    const first = prospectFlows.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`)).body);
    expect(first.flows.filter((f) => f.flowId === SEED.flowId)).toEqual([]);
    // Sam assigns; the rep's cached view must not hide it.
    const assigned = await t.api('POST', `/api/v1/flows/${SEED.sharedFlowId}/assign`, { token: samToken, body: { crmProspectIds: [id] } });
    expect(assigned.status).toBe(200);
    expect(assignResult.parse(assigned.body).assigned).toHaveLength(1);
    const after = prospectFlows.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`)).body);
    expect(after.flows.map((f) => f.flowId)).toContain(SEED.sharedFlowId);
  });

  it("counts the day's Gong calls in /usage", async () => {
    const res = await t.api('GET', '/api/v1/usage');
    const u = usage.parse(res.body);
    expect(u.gongCalls).toBe(t.gong.stats().callsToday);
    expect(u.remaining).toBe(u.dailyBudget - u.gongCalls);
    expect(u.dailyBudget).toBe(10_000);
  });
});

const adminTokens = new Map<TestBackend, string>();
/** Company-wide reads are for managers and admins (authorization.test.ts); these tests are about the gateway. */
async function adminToken(backend: TestBackend): Promise<string> {
  const known = adminTokens.get(backend);
  if (known) return known;
  const token = await addConnectedUser(backend, ADMIN_EMAIL, 'admin');
  adminTokens.set(backend, token);
  return token;
}

describe('daily budget', () => {
  it('stops calling Gong when the day\'s budget is spent and says when to come back', async () => {
    // The company's budget, not a rep's share of it (quotas.test.ts), is what this test spends.
    const b = await startTestBackend({ gong: { dailyBudget: 3 }, env: { GONG_DAILY_CALLS_PER_REP: '10000' } });
    try {
      for (const tool of ['gong_trackers_list', 'gong_scorecards_list', 'gong_call_outcomes_list']) {
        expect((await b.api('POST', `/api/v1/tools/${tool}`, { token: await adminToken(b), body: {} })).status).toBe(200);
      }
      const res = await b.api('GET', '/api/v1/workspaces');
      expect(res.status).toBe(429);
      expect(apiError.parse(res.body).error).toMatchObject({ code: 'GONG_RATE_LIMITED' });
      expect(apiError.parse(res.body).error.retryAfter).toBeGreaterThan(0);
      expect(b.gong.stats().totalCalls).toBe(3);
      expect(usage.parse((await b.api('GET', '/api/v1/usage')).body)).toMatchObject({ gongCalls: 3, remaining: 0 });
    } finally {
      await b.close();
    }
  });
});

describe('Gong calls per tool', () => {
  it('counts an unassign by CRM ids as one Gong call per prospect in /usage, and the budget refuses a call it cannot afford', async () => {
    const b = await startTestBackend({ gong: { dailyBudget: 4 }, env: { GONG_DAILY_CALLS_PER_REP: '10000' } });
    try {
      const ids = [SEED.sfContactNoFlows, SEED.sfContactNoFlows2, SEED.hubspotContactNoFlows];
      const unassign = async (crm_prospect_ids: string[]) =>
        // As an admin: a rep's unassign first asks Gong who owns the prospects' instances (one call more).
        b.api('POST', '/api/v1/tools/gong_engage_prospects_unassign', { token: await adminToken(b), body: { crm_prospect_ids, flow_id: SEED.otherFlowId } });
      expect((await unassign(ids)).status).toBe(200);
      expect(usage.parse((await b.api('GET', '/api/v1/usage')).body)).toMatchObject({ gongCalls: 3, remaining: 1 });
      // Two more Gong calls would go over the budget of 4: refused before any reaches Gong.
      const before = b.gong.stats().totalCalls;
      const refused = await unassign(ids.slice(0, 2));
      expect(refused.status).toBe(429);
      expect(apiError.parse(refused.body).error.code).toBe('GONG_RATE_LIMITED');
      expect(b.gong.stats().totalCalls).toBe(before);
      // One still fits.
      expect((await unassign(ids.slice(0, 1))).status).toBe(200);
      expect(usage.parse((await b.api('GET', '/api/v1/usage')).body)).toMatchObject({ gongCalls: 4, remaining: 0 });
      expect(b.gong.stats().callsToday).toBe(4);
    } finally {
      await b.close();
    }
  });
});
