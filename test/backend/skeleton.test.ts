/** Issue 2's walking skeleton through the real backend: auth, flows, assign, unassign, refusals. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, assignResult, flowList, prospectFlows, unassignResult } from '../../lib/api';
import { SEED } from '../../server/sandbox/gong/seed';
import { startTestBackend, type TestBackend } from './harness';

let t: TestBackend;
beforeAll(async () => {
  t = await startTestBackend();
});
afterAll(async () => {
  await t?.close();
});

describe('walking skeleton', () => {
  it('answers /healthz without a token', async () => {
    const res = await t.api('GET', '/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, mode: 'sandbox' });
  });

  it('refuses /api/v1 without a valid token with the JSON error shape and no stack', async () => {
    for (const token of [null, 'not-a-real-token-at-all']) {
      const res = await t.api('GET', '/api/v1/flows', { token });
      expect(res.status).toBe(401);
      expect(apiError.parse(res.body).error.code).toBe('UNAUTHENTICATED');
      expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts|stack/i);
    }
    expect(t.gong.stats().totalCalls).toBe(0);
  });

  it('reports the demo user connection as ACTIVE', async () => {
    const res = await t.api('GET', '/api/v1/connection');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ACTIVE', identifier: 'rep@example.com', connectionName: 'gong' });
  });

  it('lists every flow the rep may assign, across pages', async () => {
    const res = await t.api('GET', '/api/v1/flows');
    expect(res.status).toBe(200);
    const { flows } = flowList.parse(res.body);
    expect(flows).toHaveLength(SEED.repVisibleFlowCount);
    expect(flows.map((f) => f.id)).toContain(SEED.flowId);
    expect(flows.map((f) => f.id)).not.toContain(SEED.hiddenFlowId);
    expect(t.gong.stats().byTool.gong_engage_flows_list).toBe(2);
  });

  it("shows a prospect's flows", async () => {
    const res = await t.api('GET', `/api/v1/prospects/${SEED.sfContactWithFlows}/flows`);
    expect(res.status).toBe(200);
    const body = prospectFlows.parse(res.body);
    expect(body.flows.find((f) => f.flowInstanceId === SEED.runningInstanceId)?.status).toBe('Running');
  });

  it('assigns a prospect, shows it, then unassigns it', async () => {
    const id = SEED.sfContactNoFlows;
    const assigned = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [id] } });
    expect(assigned.status).toBe(200);
    const result = assignResult.parse(assigned.body);
    expect(result.notAssigned).toEqual([]);
    expect(result.assigned).toHaveLength(1);
    expect(result.assigned[0]).toMatchObject({ flowId: SEED.flowId, crmProspectId: id, ownerEmail: 'rep@example.com' });
    expect(t.gong.state.flowInstancesByProspect(id).map((i) => i.flowId)).toEqual([SEED.flowId]);

    const listed = prospectFlows.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`)).body);
    expect(listed.flows.map((f) => f.flowId)).toEqual([SEED.flowId]);

    const un = await t.api('POST', `/api/v1/flows/${SEED.flowId}/unassign`, { body: { crmProspectIds: [id] } });
    expect(un.status).toBe(200);
    expect(unassignResult.parse(un.body)).toEqual({ unassigned: [id], notUnassigned: [] });
    expect(t.gong.state.flowInstancesByProspect(id)).toEqual([]);
    const after = prospectFlows.parse((await t.api('GET', `/api/v1/prospects/${id}/flows`)).body);
    expect(after.flows).toEqual([]);
  });

  it('reports Gong refusing a prospect already in the flow, per prospect, with its reason', async () => {
    const res = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: [SEED.sfContactWithFlows] } });
    expect(res.status).toBe(200);
    const body = assignResult.parse(res.body);
    expect(body.assigned).toEqual([]);
    expect(body.notAssigned).toEqual([
      expect.objectContaining({ crmProspectId: SEED.sfContactWithFlows, code: 'InvalidState', coolOff: false }),
    ]);
    expect(body.notAssigned[0].message).toMatch(/already assigned/);
  });

  it('refuses an unknown flow with a clear 404 and changes nothing', async () => {
    const before = JSON.stringify(t.gong.state.instances);
    const res = await t.api('POST', '/api/v1/flows/4419999999999999/assign', { body: { crmProspectIds: [SEED.sfContactNoFlows2] } });
    expect(res.status).toBe(404);
    const err = apiError.parse(res.body).error;
    expect(err.code).toBe('GONG_NOT_FOUND');
    expect(err.message).toMatch(/Flow 4419999999999999 was not found/);
    expect(JSON.stringify(t.gong.state.instances)).toBe(before);
  });

  it('refuses malformed ids and unknown fields before calling Gong', async () => {
    const calls = t.gong.stats().totalCalls;
    const res = await t.api('POST', `/api/v1/flows/${SEED.flowId}/assign`, { body: { crmProspectIds: ['not an id'], extra: 1 } });
    expect(res.status).toBe(400);
    const err = apiError.parse(res.body).error;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.issues?.length).toBeGreaterThanOrEqual(1);
    expect(t.gong.stats().totalCalls).toBe(calls);
  });
});
