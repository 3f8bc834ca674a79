/**
 * The company-wide prospect-flows cache and the batch lookup route (list-view prefetch): a batch of
 * prospects costs one Gong call, later single lookups (by any rep) are served from the cache, concurrent
 * lookups queue while a lookup call is in flight and then share one call, and a write through the backend
 * invalidates the prospect it touched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignResult, prospectFlows, prospectFlowsLookup, prospectFlowsWithHistory } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { addConnectedUser, startTestBackend, type TestBackend } from './harness';

let t: TestBackend;
let samToken: string;
beforeAll(async () => {
  t = await startTestBackend();
  samToken = addConnectedUser(t, SEED.otherRepEmail);
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
