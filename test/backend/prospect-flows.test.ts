/**
 * The company-wide prospect-flows cache and the batch lookup route (list-view prefetch): a batch of
 * prospects costs one Gong call, later single lookups (by any rep) are served from the cache, concurrent
 * lookups queue while a lookup call is in flight and then share one call, list prefetches of different reps
 * within the batch window share one call (a record opened meanwhile takes them along at once), and a write
 * through the backend invalidates the prospect it touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignResult, prospectFlows, prospectFlowsLookup, prospectFlowsWithHistory } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, startTestBackend, type TestBackend } from './harness';

let t: TestBackend;
let samToken: string;
/** The list prefetch's batching window in these tests (the default is longer). */
const WINDOW_MS = 3_000;
beforeAll(async () => {
  t = await startTestBackend({ gong: { prospectFlowsBatchMs: WINDOW_MS } });
  samToken = await addConnectedUser(t, SEED.otherRepEmail);
});
afterAll(async () => {
  await t?.close();
});

const flowsCalls = () => t.gong.stats().byTool.gong_engage_prospects_flows_list ?? 0;
const ids = [SEED.sfContactWithFlows, SEED.sfContactNoFlows, SEED.sfLead, SEED.sfLeadInFlow, SEED.hubspotContact, SEED.hubspotContactNoFlows];

describe('POST /prospects/flows/lookup', () => {
  it('answers a batch of prospects with one Gong call, then serves single lookups from the cache', async () => {
    const before = flowsCalls();
    const res = await t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: ids } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { prospects } = prospectFlowsLookup.parse(res.body);
    expect(flowsCalls() - before).toBe(1);
    expect(prospects.map((p) => p.crmProspectId)).toEqual(ids);
    // Same answer as Gong's own view of each prospect's open flows.
    for (const p of prospects) {
      const inGong = t.gong.state.flowInstancesByProspect(p.crmProspectId).filter((i) => ['Pending', 'Running', 'Paused'].includes(i.status)).map((i) => i.id).sort();
      expect(p.flows.map((f) => f.flowInstanceId).sort()).toEqual(inGong);
    }
    expect(prospects.find((p) => p.crmProspectId === SEED.sfContactWithFlows)!.flows.length).toBeGreaterThan(0);
    expect(prospects.find((p) => p.crmProspectId === SEED.sfContactNoFlows)!.flows).toEqual([]);

    // The rep opens the records (and a teammate opens one): no further Gong call.
    for (const id of ids) {
      const one = await t.api('GET', `/api/v1/prospects/${id}/flows`);
      expect(one.status).toBe(200);
      expect(prospectFlows.parse(one.body)).toEqual(prospects.find((p) => p.crmProspectId === id));
    }
    expect((await t.api('GET', `/api/v1/prospects/${ids[0]}/flows`, { token: samToken })).status).toBe(200);
    expect(flowsCalls() - before).toBe(1);
  });

  it("drops a prospect's cached flows when anyone assigns it; the others stay cached", async () => {
    const id = SEED.sfContactNoFlows;
    await t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: ids } });
    const before = flowsCalls();
    const assigned = await t.api('POST', `/api/v1/flows/${SEED.sharedFlowId}/assign`, { token: samToken, body: { crmProspectIds: [id] } });
    expect(assignResult.parse(assigned.body).assigned).toHaveLength(1);
    const after = prospectFlows.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`)).body);
    expect(after.flows.map((f) => f.flowId)).toContain(SEED.sharedFlowId);
    expect(flowsCalls() - before).toBe(1);
    await t.api('GET', `/api/v1/prospects/${SEED.sfLead}/flows`);
    expect(flowsCalls() - before).toBe(1);
  });

  it('sends a lookup at once when none is in flight; lookups arriving meanwhile (from different reps) share the next call', async () => {
    const [first, ...fresh] = [SEED.hubspotLead, SEED.coolOff, SEED.sfContactNoFlows2];
    const before = flowsCalls();
    // Gong answers slowly, so the first call is surely still in flight when the others arrive.
    t.gong.latencyMs = 400;
    try {
      const a = t.api('GET', `/api/v1/prospects/${first}/flows`);
      // Sent without waiting for company: Gong sees it while no other lookup exists.
      const t0 = Date.now();
      while (flowsCalls() - before < 1 && Date.now() - t0 < 5_000) await new Promise((r) => setTimeout(r, 5));
      expect(flowsCalls() - before).toBe(1);
      const others = Promise.all([
        t.api('GET', `/api/v1/prospects/${fresh[0]}/flows`),
        t.api('GET', `/api/v1/prospects/${fresh[1]}/flows`, { token: samToken }),
      ]);
      const answers = [await a, ...(await others)];
      for (const r of answers) expect(r.status).toBe(200);
      expect(answers.map((r) => prospectFlows.parse(r.body).crmProspectId)).toEqual([first, ...fresh]);
      // The two queued lookups went to Gong together, as one call.
      expect(flowsCalls() - before).toBe(2);
    } finally {
      t.gong.latencyMs = 0;
    }
  });

  it("shares one Gong call between two reps' list prefetches within the window; each rep gets exactly the rows they asked", async () => {
    // Two reps working lists of the same accounts: overlapping rows, each with rows of their own.
    const mine = [SEED.sfContactWithFlows, SEED.sfLeadInFlow, '003TW0000000001AAA'];
    const theirs = [SEED.sfLeadInFlow, SEED.hubspotContact, '003TW0000000002AAA'];
    t.backend.ctx.prospectFlows.clear();
    const before = flowsCalls();
    const a = t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: mine } });
    await new Promise((r) => setTimeout(r, 300));
    // The first prefetch is still waiting for company: nothing went to Gong yet.
    expect(flowsCalls() - before).toBe(0);
    const b = t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: theirs }, token: samToken });
    const [ra, rb] = await Promise.all([a, b]);
    expect(flowsCalls() - before).toBe(1);
    const pa = prospectFlowsLookup.parse(ra.body).prospects;
    const pb = prospectFlowsLookup.parse(rb.body).prospects;
    expect(pa.map((p) => p.crmProspectId)).toEqual(mine);
    expect(pb.map((p) => p.crmProspectId)).toEqual(theirs);
    // The shared row is the same company data for both.
    expect(pb.find((p) => p.crmProspectId === SEED.sfLeadInFlow)).toEqual(pa.find((p) => p.crmProspectId === SEED.sfLeadInFlow));
    expect(pa.find((p) => p.crmProspectId === SEED.sfLeadInFlow)!.flows.length).toBeGreaterThan(0);
  });

  it("a record opened meanwhile leaves at once and takes the waiting prefetches along: one call", async () => {
    t.backend.ctx.prospectFlows.clear();
    const before = flowsCalls();
    const t0 = Date.now();
    const prefetch = t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: [SEED.sfLead, SEED.hubspotLead] }, token: samToken });
    await new Promise((r) => setTimeout(r, 100));
    const opened = await t.api('GET', `/api/v1/prospects/${SEED.sfContactNoFlows}/flows`);
    expect(opened.status).toBe(200);
    expect((await prefetch).status).toBe(200);
    // Well before the window's end.
    expect(Date.now() - t0).toBeLessThan(WINDOW_MS / 2);
    expect(flowsCalls() - before).toBe(1);
  });

  it('a write during the window: the waiting prefetch answers what Gong holds after it', async () => {
    const id = SEED.sfContactNoFlows2;
    t.backend.ctx.prospectFlows.clear();
    const prefetch = t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: [id] } });
    await new Promise((r) => setTimeout(r, 100));
    const assigned = await t.api('POST', `/api/v1/flows/${SEED.sharedFlowId}/assign`, { token: samToken, body: { crmProspectIds: [id] } });
    expect(assignResult.parse(assigned.body).assigned).toHaveLength(1);
    const [row] = prospectFlowsLookup.parse((await prefetch).body).prospects;
    expect(row.flows.map((f) => f.flowId)).toContain(SEED.sharedFlowId);
    // And the cache holds that answer: another rep's record view needs no call and sees the flow.
    const before = flowsCalls();
    const seen = prospectFlows.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`, { token: samToken })).body);
    expect(seen.flows.map((f) => f.flowId)).toContain(SEED.sharedFlowId);
    expect(flowsCalls() - before).toBe(0);
  });

  it('a shared answer reaches only reps whose own Gong connection is active', async () => {
    const ids2 = [SEED.sfContactWithFlows];
    await t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: ids2 } });
    t.backend.sandbox!.accounts.setStatus('gong', 'lapsed.rep@example.com', 'EXPIRED');
    const lapsed = (await t.backend.users.add('lapsed.rep@example.com')).token;
    const res = await t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: ids2 }, token: lapsed });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('GONG_NOT_CONNECTED');
  });

  it("a rep who finds another rep's lookup under way is not given that rep's failure", async () => {
    const id = SEED.hubspotContactNoFlows;
    t.backend.ctx.prospectFlows.clear();
    t.backend.sandbox!.accounts.setStatus('gong', 'lapsed.prefetch@example.com', 'EXPIRED');
    const lapsed = (await t.backend.users.add('lapsed.prefetch@example.com')).token;
    // The lapsed rep's list prefetch waits in its window with the prospect…
    const prefetch = t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: [id] }, token: lapsed });
    await new Promise((r) => setTimeout(r, 200));
    // …when a connected rep opens that record: the lapsed rep's call fails on their connection, not this rep's view.
    const opened = await t.api('GET', `/api/v1/prospects/${id}/flows`);
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(prospectFlows.parse(opened.body).flows).toEqual([]);
    expect((await prefetch).status).toBe(409);
  });

  it("refreshes ahead in a call with room: a row a rep is working on stays fresh without a call of its own", async () => {
    const ttl = 4_000;
    const s = await startTestBackend({ gong: { prospectFlowsTtlMs: ttl, prospectFlowsBatchMs: 0 } });
    try {
      const other = await addConnectedUser(s, SEED.otherRepEmail);
      const calls = () => s.gong.stats().byTool.gong_engage_prospects_flows_list ?? 0;
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const worked = SEED.sfContactWithFlows;
      // Warm (the first request of a backend sets up its Scalekit client).
      expect((await s.api('GET', '/api/v1/flows')).status).toBe(200);
      const t0 = Date.now();
      expect((await s.api('GET', `/api/v1/prospects/${worked}/flows`)).status).toBe(200);
      expect(calls()).toBe(1);
      // Past half its life, the rep's list shows the row again (from the cache).
      await sleep(Math.max(0, t0 + ttl * 0.6 - Date.now()));
      expect((await s.api('GET', `/api/v1/prospects/${worked}/flows`)).status).toBe(200);
      expect(calls()).toBe(1);
      // Another rep's lookup goes to Gong anyway: the worked row rides along.
      expect((await s.api('GET', `/api/v1/prospects/${SEED.sfLead}/flows`, { token: other })).status).toBe(200);
      expect(calls()).toBe(2);
      expect(s.backend.ctx.prospectFlows.stats.refreshedAhead).toBe(1);
      // Past the first answer's expiry: still fresh, no call, Gong's current answer.
      await sleep(Math.max(0, t0 + ttl + 200 - Date.now()));
      const again = prospectFlows.parse((await s.api('GET', `/api/v1/prospects/${worked}/flows`)).body);
      expect(calls()).toBe(2);
      const inGong = s.gong.state.flowInstancesByProspect(worked).filter((i) => ['Pending', 'Running', 'Paused'].includes(i.status)).map((i) => i.id).sort();
      expect(again.flows.map((f) => f.flowInstanceId).sort()).toEqual(inGong);
    } finally {
      await s.close();
    }
  });

  it('refuses more than 200 ids and an empty list', async () => {
    const many = Array.from({ length: 201 }, (_, i) => `003${String(i).padStart(12, '0')}`);
    expect((await t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: many } })).status).toBe(400);
    expect((await t.api('POST', '/api/v1/prospects/flows/lookup', { body: { crmProspectIds: [] } })).status).toBe(400);
  });
});

describe("a prospect's flows: open ones from Gong, history from this backend's own writes", () => {
  it('lists only open flows (Gong answers only Pending/Running/Paused by CRM id)', async () => {
    const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`);
    expect(res.status).toBe(200);
    const { flows } = prospectFlows.parse(res.body);
    expect(flows.length).toBeGreaterThan(0);
    for (const f of flows) expect(['Pending', 'Running', 'Paused']).toContain(f.status);
    // Gong still holds a finished instance of this prospect: it is not Gong's answer by CRM id.
    expect(t.gong.state.flowInstancesByProspect(SEED.sfContactWithFlows).some((i) => i.status.startsWith('Finished'))).toBe(true);
  });

  it('shows a flow removed through the backend as history ("removed by you"), never as a Gong flow', async () => {
    const id = SEED.hubspotContactNoFlows;
    const assign = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [id] } });
    expect(assignResult.parse(assign.body).assigned).toHaveLength(1);
    const during = prospectFlowsWithHistory.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`)).body);
    expect(during.flows.map((f) => f.flowId)).toEqual([SEED.flowId]);
    // An open flow is Gong's: no history entry for it.
    expect(during.history).toEqual([]);

    const un = await t.api('POST', `/api/v1/flows/${SEED.flowId}/unassign`, { body: { crmProspectIds: [id] } });
    expect(un.status).toBe(200);
    const after = prospectFlowsWithHistory.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`)).body);
    expect(after.flows).toEqual([]);
    expect(after.history).toHaveLength(1);
    expect(after.history[0]).toMatchObject({ flowId: SEED.flowId, action: 'removed', by: SEED.repEmail, byYou: true });
    expect(after.history[0].flowName).toBeTruthy();
    expect(Math.abs(Date.parse(after.history[0].at) - Date.now())).toBeLessThan(60_000);

    // Another rep sees who did it.
    const seen = prospectFlowsWithHistory.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`, { token: samToken })).body);
    expect(seen.history[0]).toMatchObject({ action: 'removed', by: SEED.repEmail, byYou: false });
  });
});
