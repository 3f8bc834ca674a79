/**
 * Gong's documented limits and answers, as the backend meets them through the real SDK and the stand-in
 * (gong-openapi.json): at most 100 prospects per assign call (a refusal for size splits the batch and the
 * rest goes on), a calls window without calls is Gong's 404 and means "no calls", both ends of the window
 * are sent, and the calls index lists the newest calls first within a stated bound of Gong calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { assignResult, flowFolderList, job, jobAccepted, prospectCalls } from '../../lib/api';
import { GONG_ASSIGN_PROSPECTS_PER_CALL } from '../../lib/gong-tools';
import { CALLS_INDEX_MAX_GONG_CALLS } from '../../server/services/calls';
import { SEED } from '../../server/sandbox/gong/seed';
import type { Call } from '../../server/sandbox/gong/state';
import { FAST_RETRIES, startTestBackend, waitFor, type TestBackend } from './harness';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let t: TestBackend;
/** Every tool call that reached the simulated Gong, with its input as Gong got it. */
let seen: { tool: string; input: Json }[] = [];
beforeAll(async () => {
  t = await startTestBackend({ gong: FAST_RETRIES });
  const execute = t.gong.execute.bind(t.gong);
  t.gong.execute = (tool, input, ctx) => {
    seen.push({ tool, input: input as Json });
    return execute(tool, input, ctx);
  };
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => {
  seen = [];
});

const of = (tool: string) => seen.filter((s) => s.tool === tool);
/** `n` HubSpot-shaped ids Gong's CRM does not know (refused one by one as InvalidArgument). */
const unknownIds = (n: number, base: number) => Array.from({ length: n }, (_, i) => String(base + i));

describe('assign: at most 100 prospects per Gong call', () => {
  it('sends 150 prospects as two calls of at most 100 and answers for every one of them', async () => {
    const ids = [SEED.hubspotContactNoFlows, ...unknownIds(149, 910_000_000)];
    const res = await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: ids } });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    const r = assignResult.parse(res.body);
    expect(r.assigned.map((a) => a.crmProspectId)).toEqual([SEED.hubspotContactNoFlows]);
    expect(r.notAssigned).toHaveLength(149);
    const calls = of('gong_engage_prospects_assign');
    expect(calls).toHaveLength(2);
    for (const c of calls) expect(c.input.crm_prospect_ids.length).toBeLessThanOrEqual(GONG_ASSIGN_PROSPECTS_PER_CALL);
  });

  it('splits a batch Gong refuses for its size and goes on with the rest', async () => {
    t.gong.caps.prospectsPerAssign = 30;
    try {
      const ids = [SEED.sfLead, ...unknownIds(79, 920_000_000)];
      const res = await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: ids } });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
      const r = assignResult.parse(res.body);
      expect(r.assigned.map((a) => a.crmProspectId)).toEqual([SEED.sfLead]);
      expect(r.notAssigned.map((n) => n.crmProspectId).sort()).toEqual(ids.slice(1).sort());
      expect(r.notAssigned.every((n) => n.code === 'InvalidArgument')).toBe(true);
      const calls = of('gong_engage_prospects_assign');
      const accepted = calls.filter((c) => c.input.crm_prospect_ids.length <= 30);
      // Every prospect went through exactly one accepted call.
      expect(accepted.flatMap((c) => c.input.crm_prospect_ids).sort()).toEqual([...ids].sort());
      expect(calls.length).toBeLessThanOrEqual(8);
    } finally {
      t.gong.caps.prospectsPerAssign = GONG_ASSIGN_PROSPECTS_PER_CALL;
    }
  });

  it('runs a job in batches of at most 100', async () => {
    const ids = unknownIds(250, 930_000_000);
    const res = await t.api('POST', `/api/v1/flows/${SEED.otherFlowId}/assign`, { body: { crmProspectIds: ids } });
    expect(res.status).toBe(202);
    const { jobId } = jobAccepted.parse(res.body);
    const done = await waitFor(async () => {
      const j = job.parse((await t.api('GET', `/api/v1/jobs/${jobId}`)).body);
      return j.status === 'COMPLETED' || j.status === 'FAILED' ? j : undefined;
    });
    expect(done.status).toBe('COMPLETED');
    expect(done.results).toHaveLength(250);
    const calls = of('gong_engage_prospects_assign');
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(c.input.crm_prospect_ids.length).toBeLessThanOrEqual(GONG_ASSIGN_PROSPECTS_PER_CALL);
  });
});

describe('flow folders as the spec shapes them', () => {
  it('reads listFlowsFolders’ FlowsResponse (folders under `flows`)', async () => {
    const res = await t.api('GET', '/api/v1/flows/folders');
    expect(res.status).toBe(200);
    const { folders } = flowFolderList.parse(res.body);
    const byId = new Map(folders.map((f) => [f.id, f]));
    expect(byId.get(SEED.companyFolderId)?.visibility).toBe('COMPANY');
    expect(byId.get(SEED.personalFolderId)?.visibility).toBe('PERSONAL');
    expect(byId.get(SEED.sharedFolderId)?.visibility).toBe('SHARED');
    expect(folders).toHaveLength(5);
  });
});

describe('calls', () => {
  it('sends both ends of the window; a window without calls (Gong 404) is "no calls", not an error', async () => {
    const saved = t.gong.state.raw.calls;
    t.gong.state.raw.calls = [];
    try {
      const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls?days=30`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(prospectCalls.parse(res.body).calls).toEqual([]);
      const lists = of('gong_calls_list');
      expect(lists.length).toBeGreaterThan(0);
      for (const l of lists) {
        expect(typeof l.input.from_date_time).toBe('string');
        expect(typeof l.input.to_date_time).toBe('string');
        expect(Date.parse(l.input.from_date_time)).toBeLessThan(Date.parse(l.input.to_date_time));
      }
      // The whole window was asked for: from 30 days ago up to now.
      const from = Math.min(...lists.map((l) => Date.parse(l.input.from_date_time)));
      const to = Math.max(...lists.map((l) => Date.parse(l.input.to_date_time)));
      expect(Math.abs(from - (Date.now() - 30 * 86_400_000))).toBeLessThan(10 * 60_000);
      expect(to).toBeGreaterThanOrEqual(Date.now() - 60_000);
    } finally {
      t.gong.state.raw.calls = saved;
    }
  });

  it('indexes the newest calls first, within a bound of Gong calls per refresh', async () => {
    const saved = t.gong.state.raw.calls;
    const template = saved.find((c) => c.id === SEED.callId)!;
    const now = Date.now();
    // 3,000 calls, one every 40 minutes over the last ~83 days; only the newest mention our prospect.
    const many: Call[] = Array.from({ length: 3_000 }, (_, i) => ({
      ...structuredClone(template),
      id: String(5_100_000_000_000_000_000n + BigInt(i)),
      started: new Date(now - (i + 1) * 40 * 60_000).toISOString(),
      scheduled: new Date(now - (i + 1) * 40 * 60_000).toISOString(),
      parties: i < 3 ? structuredClone(template.parties) : template.parties.filter((p) => p.affiliation === 'Internal'),
    }));
    t.gong.state.raw.calls = many;
    try {
      const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/calls?days=90`);
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
      const { calls } = prospectCalls.parse(res.body);
      expect(calls.map((c) => c.id)).toEqual(many.slice(0, 3).map((c) => c.id));
      const listAndDetails = of('gong_calls_list').length + of('gong_calls_get').length;
      expect(listAndDetails).toBeGreaterThan(0);
      expect(listAndDetails).toBeLessThanOrEqual(CALLS_INDEX_MAX_GONG_CALLS);
    } finally {
      t.gong.state.raw.calls = saved;
    }
  });
});
