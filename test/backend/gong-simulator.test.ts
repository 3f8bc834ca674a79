/** The stateful Gong simulator, driven directly (no network) with an injectable clock. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toSalesforceId18 } from '../../lib/crm-record';
import { GongHttpError } from '../../server/sandbox/gong/http-error';
import { COOL_OFF_DAYS, GongSimulator, SEED, SimulatedDrop, type GongSimulatorOptions } from '../../server/sandbox/gong/simulator';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const ctx = { identifier: SEED.repEmail, executionId: 'exec-1' };
const T0 = Date.parse('2025-03-12T15:30:00.000Z');
const DAY = 86_400_000;

function setup(opts: GongSimulatorOptions = {}) {
  let now = T0;
  const clock = {
    advance: (ms: number) => {
      now += ms;
    },
    get now() {
      return now;
    },
  };
  const sim = new GongSimulator({ now: () => new Date(now), limits: { perSecond: 1_000, perDay: 1_000_000 }, ...opts });
  const call = (tool: string, input: Json = {}) => sim.execute(tool, input, ctx) as Promise<Json>;
  return { sim, clock, call };
}

async function gongError(p: Promise<unknown>): Promise<GongHttpError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(GongHttpError);
    return e as GongHttpError;
  }
  throw new Error('expected a GongHttpError');
}

const assignInput = (ids: string[], extra: Json = {}) => ({ crm_prospect_ids: ids, flow_id: SEED.flowId, flow_instance_owner_email: SEED.repEmail, ...extra });

describe('seed', () => {
  it('is realistic and deterministic', async () => {
    const a = setup().sim.state.raw;
    const b = setup().sim.state.raw;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.users.length).toBeGreaterThanOrEqual(8);
    const rep = a.users.find((u) => u.emailAddress === 'rep@example.com')!;
    expect(`${rep.firstName} ${rep.lastName}`).toBe('Riley Parker');
    expect(a.workspaces.length).toBeGreaterThanOrEqual(2);
    expect(a.flows.length).toBeGreaterThanOrEqual(12);
    expect(new Set(a.flows.map((f) => f.visibility))).toEqual(new Set(['Company', 'Personal', 'Shared']));
    expect(a.prospects.length).toBeGreaterThanOrEqual(60);
    for (const p of a.prospects) {
      if (p.crm === 'salesforce') {
        expect(p.crmId).toHaveLength(18);
        expect(toSalesforceId18(p.crmId)).toBe(p.crmId);
        expect(p.crmId.slice(0, 3)).toBe(p.type === 'CONTACT' ? '003' : '00Q');
      } else expect(p.crmId).toMatch(/^\d+$/);
      expect(p.email).toMatch(/@/);
    }
    expect(new Set(a.prospects.map((p) => p.crmId)).size).toBe(a.prospects.length);
    expect(new Set(a.instances.map((i) => i.status))).toEqual(new Set(['Pending', 'Running', 'Paused', 'FinishedNoReply', 'FinishedResponse', 'Finished']));
    expect(a.calls).toHaveLength(40);
    for (const c of a.calls) expect(T0 - Date.parse(c.started)).toBeLessThanOrEqual(90 * DAY);
    const external = a.calls.flatMap((c) => c.parties.filter((p) => p.affiliation === 'External'));
    expect(external.some((p) => p.crm)).toBe(true);
    expect(external.some((p) => !p.crm && p.emailAddress)).toBe(true);
  });

  it('gives the rep overdue, today and later OPEN tasks of every kind', async () => {
    const { call } = setup();
    const { tasks } = await call('gong_engage_tasks_list', { assignee_email: SEED.repEmail });
    const start = Date.UTC(2025, 2, 12);
    const due = tasks.map((t: Json) => Date.parse(t.dueDate));
    expect(due.filter((d: number) => d < start).length).toBeGreaterThanOrEqual(3);
    expect(due.filter((d: number) => d >= start && d < start + DAY).length).toBeGreaterThanOrEqual(4);
    expect(due.filter((d: number) => d >= start + DAY).length).toBeGreaterThanOrEqual(4);
    expect(tasks.every((t: Json) => t.status === 'OPEN' && t.userId === Number(SEED.repUserId))).toBe(true);
    expect(tasks.some((t: Json) => t.actions.includes('CALL'))).toBe(true);
    expect(new Set(tasks.map((t: Json) => t.title.split(' ')[0]))).toEqual(new Set(['Call', 'Email', 'LinkedIn:', 'Follow']));
    expect([...due].sort((x, y) => x - y)).toEqual(due);
  });
});

describe('flows and pagination', () => {
  it('pages the rep’s 14 flows at 10 and hides other users’ personal flows', async () => {
    const { call } = setup();
    const p1 = await call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail });
    expect(p1.records).toMatchObject({ totalRecords: 14, currentPageSize: 10, currentPageNumber: 0 });
    expect(p1.records.cursor).toEqual(expect.any(String));
    const p2 = await call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail, cursor: p1.records.cursor });
    expect(p2.records).toEqual({ totalRecords: 14, currentPageSize: 4, currentPageNumber: 1 });
    const ids = [...p1.flows, ...p2.flows].map((f: Json) => f.id);
    expect(new Set(ids).size).toBe(14);
    expect(ids).toContain(SEED.personalFlowId);
    expect(ids).toContain(SEED.sharedFlowId);
    expect(ids).not.toContain(SEED.hiddenFlowId);
    const sam1 = await call('gong_engage_flows_list', { flow_owner_email: SEED.otherRepEmail, workspace_id: SEED.workspaceId });
    const sam2 = await call('gong_engage_flows_list', { flow_owner_email: SEED.otherRepEmail, workspace_id: SEED.workspaceId, cursor: sam1.records.cursor });
    const samIds = [...sam1.flows, ...sam2.flows].map((f: Json) => f.id);
    expect(samIds).toHaveLength(11);
    expect(samIds).toContain(SEED.hiddenFlowId);
    expect(samIds).not.toContain(SEED.personalFlowId);
    const emea = await call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail, workspace_id: SEED.emeaWorkspaceId });
    expect(emea.flows.map((f: Json) => f.id)).toEqual([SEED.emeaFlowId, '7441000000000000015']);
    expect(emea.records.cursor).toBeUndefined();
  });

  it('rejects a forged cursor or one from another query with 400', async () => {
    const { call } = setup();
    const p1 = await call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail });
    expect((await gongError(call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail, cursor: 'garbage' }))).status).toBe(400);
    expect((await gongError(call('gong_engage_flows_list', { flow_owner_email: SEED.otherRepEmail, cursor: p1.records.cursor }))).status).toBe(400);
  });

  it('lists company, personal and shared folders for the rep', async () => {
    const { call } = setup();
    // listFlowsFolders answers FlowsResponse: the folders come under `flows` (gong-openapi.json).
    const answer = await call('gong_engage_flow_folders_list', { flow_owner_email: SEED.repEmail });
    expect(answer.folders).toBeUndefined();
    const folders = answer.flows;
    const byId = new Map(folders.map((f: Json) => [f.id, f]));
    expect((byId.get(SEED.companyFolderId) as Json).visibility).toBe('Company');
    expect((byId.get(SEED.personalFolderId) as Json).visibility).toBe('Personal');
    expect((byId.get(SEED.sharedFolderId) as Json).visibility).toBe('Shared');
    expect(folders).toHaveLength(5);
  });

  it('lists the flows of prospects, accepting 15-character Salesforce ids', async () => {
    const { call } = setup();
    const r = await call('gong_engage_prospects_flows_list', { crm_prospect_ids: [SEED.sfContactWithFlows.slice(0, 15), SEED.sfContactNoFlows, 'unknown1'] });
    // By CRM id, only open (Pending/Running/Paused) flows (spec getProspectsAssignedFlows); the seed's finished one is not listed.
    expect(r.prospectsAssigned.map((a: Json) => a.flowInstanceStatus).sort()).toEqual(['Paused', 'Running']);
    expect(r.prospectsAssigned.every((a: Json) => a.crmProspectId === SEED.sfContactWithFlows)).toBe(true);
    const running = r.prospectsAssigned.find((a: Json) => a.flowInstanceStatus === 'Running');
    expect(running).toMatchObject({ flowId: SEED.flowId, flowInstanceId: SEED.runningInstanceId, flowInstanceOwnerEmail: SEED.repEmail, flowInstanceOwnerFullName: 'Riley Parker' });
  });
});

describe('assign / unassign', () => {
  it('assigns: Pending, then Running; creates the owner’s first-step task; refuses a second assign', async () => {
    const { sim, call, clock } = setup();
    const before = (await call('gong_engage_tasks_list', { assignee_email: SEED.repEmail })).tasks.length;
    const r = await call('gong_engage_prospects_assign', assignInput([SEED.sfContactNoFlows]));
    expect(r.prospectsNotAssigned).toEqual([]);
    expect(r.prospectsAssigned).toHaveLength(1);
    const a = r.prospectsAssigned[0];
    expect(a).toMatchObject({ flowId: SEED.flowId, crmProspectId: SEED.sfContactNoFlows, flowInstanceStatus: 'Pending', flowInstanceOwnerEmail: SEED.repEmail });
    expect(sim.state.flowInstancesByProspect(SEED.sfContactNoFlows)).toHaveLength(1);
    const tasks = (await call('gong_engage_tasks_list', { assignee_email: SEED.repEmail })).tasks;
    expect(tasks.length).toBe(before + 1);
    expect(tasks.some((t: Json) => t.contact?.crmId === SEED.sfContactNoFlows && t.type === 'FLOW' && t.flow.id === Number(SEED.flowId))).toBe(true);
    clock.advance(11_000);
    const flows = await call('gong_engage_prospects_flows_list', { crm_prospect_ids: [SEED.sfContactNoFlows] });
    expect(flows.prospectsAssigned[0]).toMatchObject({ flowInstanceId: a.flowInstanceId, flowInstanceStatus: 'Running' });
    const again = await call('gong_engage_prospects_assign', assignInput([SEED.sfContactNoFlows]));
    expect(again.prospectsAssigned).toEqual([]);
    expect(again.prospectsNotAssigned).toEqual([{ flowId: SEED.flowId, crmProspectId: SEED.sfContactNoFlows, errorCode: 'InvalidState', errorMessage: expect.stringMatching(/already assigned/) }]);
  });

  it('reports unknown or invalid prospect ids as InvalidArgument and still assigns the rest', async () => {
    const { call } = setup();
    const r = await call('gong_engage_prospects_assign', assignInput(['0035g00000ZZZZZ', '00Q000000000000AAA', '99999999999', SEED.hubspotContactNoFlows]));
    expect(r.prospectsAssigned.map((a: Json) => a.crmProspectId)).toEqual([SEED.hubspotContactNoFlows]);
    expect(r.prospectsNotAssigned.map((f: Json) => [f.crmProspectId, f.errorCode])).toEqual([
      ['0035g00000ZZZZZ', 'InvalidArgument'],
      ['00Q000000000000AAA', 'InvalidArgument'],
      ['99999999999', 'InvalidArgument'],
    ]);
  });

  it("caps assign and the cool-off override at 100 prospects a call, bulk at 50 (Gong's spec: 400, nothing assigned)", async () => {
    const { sim, call } = setup();
    const ids = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? SEED.sfContactNoFlows : `X${i}`));
    const before = sim.state.instances.length;
    for (const tool of ['gong_engage_prospects_assign', 'gong_engage_prospects_assign_cool_off_override']) {
      const err = await gongError(call(tool, assignInput(ids(101))));
      expect(err.status).toBe(400);
      expect(err.body.errors.join(' ')).toMatch(/up to 100 prospects/);
    }
    const bulk = await gongError(call('gong_engage_prospects_bulk_assign', { crm_prospect_ids: ids(51), flow_id: SEED.flowId }));
    expect(bulk.status).toBe(400);
    expect(bulk.body.errors.join(' ')).toMatch(/up to 50 prospects/);
    expect(sim.state.instances.length).toBe(before);
    const ok = await call('gong_engage_prospects_assign', assignInput(ids(100)));
    expect(ok.prospectsAssigned).toHaveLength(1);
    expect(ok.prospectsNotAssigned).toHaveLength(99);
    expect((await call('gong_engage_prospects_bulk_assign', { crm_prospect_ids: ids(50).slice(1), flow_id: SEED.flowId })).status).toBe('PENDING');
  });

  it('takes a lower per-call cap as an option (for tests of how the backend copes)', async () => {
    const { call } = setup({ limits: { perSecond: 1_000, perDay: 1_000_000, prospectsPerAssign: 10 } });
    const err = await gongError(call('gong_engage_prospects_assign', assignInput(Array.from({ length: 11 }, (_, i) => `X${i}`))));
    expect(err.body.errors.join(' ')).toMatch(/up to 10 prospects/);
  });

  it('answers 404 for an unknown flow and 400 for an unknown owner', async () => {
    const { call } = setup();
    const nf = await gongError(call('gong_engage_prospects_assign', assignInput([SEED.sfLead], { flow_id: '4410000000009999' })));
    expect(nf.status).toBe(404);
    expect(nf.body.errors[0]).toMatch(/4410000000009999/);
    const owner = await gongError(call('gong_engage_prospects_assign', assignInput([SEED.sfLead], { flow_instance_owner_email: 'nobody@example.com' })));
    expect(owner.status).toBe(400);
    const inactive = await gongError(call('gong_engage_prospects_assign', assignInput([SEED.sfLead], { flow_instance_owner_email: SEED.inactiveUserEmail })));
    expect(inactive.status).toBe(400);
  });

  it('refuses a prospect in cool-off (InvalidState) unless overridden; cool-off ends after the period', async () => {
    const { call, sim } = setup();
    const refused = await call('gong_engage_prospects_assign', assignInput([SEED.coolOff]));
    expect(refused.prospectsAssigned).toEqual([]);
    expect(refused.prospectsNotAssigned[0]).toMatchObject({ crmProspectId: SEED.coolOff, errorCode: 'InvalidState' });
    expect(refused.prospectsNotAssigned[0].errorMessage).toMatch(/cool-off/);
    const viaOverrides = await call('gong_engage_prospects_assign', assignInput([SEED.coolOff], { overrides: { coolOffOverride: true } }));
    expect(viaOverrides.prospectsAssigned).toHaveLength(1);
    const viaTool = await call('gong_engage_prospects_assign_cool_off_override', { crm_prospect_ids: [SEED.coolOff], flow_id: SEED.otherFlowId });
    expect(viaTool.prospectsAssigned).toMatchObject([{ flowId: SEED.otherFlowId, flowInstanceOwnerEmail: SEED.repEmail }]);
    expect(sim.state.flowInstancesByProspect(SEED.coolOff).filter((i) => i.status === 'Pending')).toHaveLength(2);
    // Another seeded prospect is in cool-off too until its period is over.
    const { call: call2, clock: clock2 } = setup();
    clock2.advance((COOL_OFF_DAYS - 3) * DAY + 60_000);
    const later = await call2('gong_engage_prospects_assign', assignInput([SEED.coolOff]));
    expect(later.prospectsAssigned).toHaveLength(1);
  });

  it('refuses a second flow while the prospect is in an exclusive flow', async () => {
    const { call } = setup();
    expect((await call('gong_engage_prospects_assign', assignInput([SEED.sfLead], { flow_id: SEED.exclusiveFlowId }))).prospectsAssigned).toHaveLength(1);
    const r = await call('gong_engage_prospects_assign', assignInput([SEED.sfLead]));
    expect(r.prospectsNotAssigned[0]).toMatchObject({ errorCode: 'InvalidState', errorMessage: expect.stringMatching(/exclusive/) });
  });

  it('unassigns by CRM id (removing the instance and its open tasks) and by instance id', async () => {
    const { sim, call } = setup();
    const openBefore = sim.state.tasks.filter((t) => t.flowInstanceId === SEED.runningInstanceId && t.status === 'OPEN');
    expect(openBefore.length).toBeGreaterThan(0);
    const r = await call('gong_engage_prospects_unassign', { crm_prospect_ids: [SEED.sfContactWithFlows], flow_id: SEED.flowId });
    expect(r.unassignedFlowInstanceIds).toEqual([SEED.runningInstanceId]);
    expect(sim.state.flowInstancesByProspect(SEED.sfContactWithFlows).map((i) => i.id)).not.toContain(SEED.runningInstanceId);
    expect(sim.state.tasks.filter((t) => t.flowInstanceId === SEED.runningInstanceId && t.status === 'OPEN')).toEqual([]);
    expect((await call('gong_engage_prospects_unassign', { crm_prospect_ids: [SEED.sfContactWithFlows], flow_id: SEED.flowId })).unassignedFlowInstanceIds).toEqual([]);
    const assigned = await call('gong_engage_prospects_assign', assignInput([SEED.sfContactWithFlows]));
    const instanceId = assigned.prospectsAssigned[0].flowInstanceId;
    const byInstance = await call('gong_engage_prospects_unassign_by_instance', { flow_instance_ids: [instanceId, '7339999999999999999'] });
    expect(byInstance.unassignedFlowInstanceIds).toEqual([instanceId]);
    expect(sim.state.instances.find((i) => i.id === instanceId)).toBeUndefined();
  });

  it('stores flow content overrides for an instance; 404 for an unknown instance', async () => {
    const { sim, call } = setup();
    const r = await call('gong_engage_flow_content_override', { flow_instance_id: SEED.runningInstanceId, field_values: { 'recipient.first_name': 'Ave', custom_intro: 'Loved your talk' } });
    expect(r.fieldValues).toEqual({ 'recipient.first_name': 'Ave', custom_intro: 'Loved your talk' });
    expect(sim.state.instances.find((i) => i.id === SEED.runningInstanceId)!.fieldValues.custom_intro).toBe('Loved your talk');
    expect((await gongError(call('gong_engage_flow_content_override', { flow_instance_id: '7339999999999999999', field_values: { a: 'b' } }))).status).toBe(404);
  });
});

describe('tasks', () => {
  it('complete → DONE (gone from the list), skip → DISMISSED; 404 unknown; 400 when not OPEN', async () => {
    const { sim, call } = setup();
    const list = async () => (await call('gong_engage_tasks_list', { assignee_email: SEED.repEmail })).tasks.map((t: Json) => String(t.id));
    expect(await list()).toContain(SEED.openTaskId);
    const done = await call('gong_engage_task_complete', { task_id: SEED.openTaskId, completion_notes: 'Left a voicemail' });
    expect(done.tasks[0]).toMatchObject({ id: Number(SEED.openTaskId), status: 'DONE' });
    expect(sim.state.task(SEED.openTaskId)).toMatchObject({ status: 'DONE', notes: 'Left a voicemail' });
    expect(await list()).not.toContain(SEED.openTaskId);
    const twice = await gongError(call('gong_engage_task_complete', { task_id: SEED.openTaskId }));
    expect(twice.status).toBe(400);
    expect((await gongError(call('gong_engage_task_skip', { task_id: '7100000000009999' }))).status).toBe(404);
    const other = (await list())[0];
    expect((await call('gong_engage_task_skip', { task_id: other, skip_reason: 'duplicate' })).tasks[0].status).toBe('DISMISSED');
    expect(sim.state.task(other)!.status).toBe('DISMISSED');
    expect((await gongError(call('gong_engage_task_skip', { task_id: other }))).status).toBe(400);
  });

  it('completing a flow task creates the next step’s task', async () => {
    const { sim, call } = setup();
    const r = await call('gong_engage_prospects_assign', assignInput([SEED.sfContactNoFlows2]));
    const instanceId = r.prospectsAssigned[0].flowInstanceId;
    const first = sim.state.tasks.find((t) => t.flowInstanceId === instanceId)!;
    expect(first.stepNumber).toBe(1);
    await call('gong_engage_task_complete', { task_id: String(first.id) });
    const next = sim.state.tasks.filter((t) => t.flowInstanceId === instanceId && t.status === 'OPEN');
    expect(next.map((t) => t.stepNumber)).toEqual([2]);
  });

  it('filters by due date range; 400 for an unknown assignee', async () => {
    const { call } = setup();
    const start = new Date(Date.UTC(2025, 2, 12)).toISOString();
    const end = new Date(Date.UTC(2025, 2, 13) - 1).toISOString();
    const today = await call('gong_engage_tasks_list', { assignee_email: SEED.repEmail, from_date: start, to_date: end });
    expect(today.tasks).toHaveLength(4);
    expect((await gongError(call('gong_engage_tasks_list', { assignee_email: 'ghost@example.com' }))).status).toBe(400);
  });
});

describe('activity', () => {
  it('stores a digital interaction; the same event again is 409', async () => {
    const { sim, call } = setup();
    const input = { event_name: 'Visited Pricing Page', event_timestamp: '2025-03-12T15:00:00Z', crm_contact_id: SEED.sfContactWithFlows, url: 'https://northwind.example/pricing' };
    const r = await call('gong_engage_digital_interactions_create', input);
    expect(r).toEqual({ requestId: expect.stringMatching(/^[0-9a-z]{19}$/) });
    expect(sim.state.interactions).toHaveLength(1);
    const dup = await gongError(call('gong_engage_digital_interactions_create', { ...input, event_timestamp: '2025-03-12T16:00:00+01:00' }));
    expect(dup.status).toBe(409);
    await call('gong_engage_digital_interactions_create', { ...input, event_timestamp: '2025-03-12T15:00:01Z' });
    expect(sim.state.interactions).toHaveLength(2);
    const nobody = await gongError(call('gong_engage_digital_interactions_create', { event_name: 'x', event_timestamp: '2025-03-12T15:00:00Z' }));
    expect(nobody.status).toBe(400);
  });

  it('stores email activity events', async () => {
    const { sim, call } = setup();
    await call('gong_engage_email_activity_report', { email_id: 'm1', event_timestamp: '2025-03-12T15:00:00Z', event_type: 'EMAIL_LINK_CLICKED', prospect_email: 'a@b.com', link_url: 'https://x.example/' });
    expect(sim.state.emailActivities).toMatchObject([{ emailId: 'm1', eventType: 'EMAIL_LINK_CLICKED', linkUrl: 'https://x.example/' }]);
    expect((await gongError(call('gong_engage_email_activity_report', { email_id: 'm1', event_timestamp: '2025-03-12T15:00:00Z', event_type: 'EMAIL_LINK_CLICKED', prospect_email: 'a@b.com' }))).status).toBe(400);
  });
});

describe('bulk assignment', () => {
  it('moves PENDING → IN_PROGRESS → COMPLETED on the simulated clock, with per-prospect results', async () => {
    const { sim, call, clock } = setup();
    const ids = [...sim.state.raw.prospects.map((p) => p.crmId).slice(0, 48), 'bogus1', 'bogus2'];
    const submitted = await call('gong_engage_prospects_bulk_assign', { crm_prospect_ids: ids, flow_id: SEED.otherFlowId });
    expect(submitted).toMatchObject({ status: 'PENDING', totalCount: ids.length, processedCount: 0, results: [] });
    const status = () => call('gong_engage_prospects_bulk_assign_status', { assignment_id: submitted.id });
    clock.advance(1_000);
    expect(await status()).toMatchObject({ status: 'IN_PROGRESS', processedCount: 0 });
    clock.advance(300);
    const mid = await status();
    expect(mid).toMatchObject({ status: 'IN_PROGRESS', processedCount: 30 });
    clock.advance(1_000);
    const done = await status();
    expect(done.status).toBe('COMPLETED');
    expect(done.processedCount).toBe(ids.length);
    expect(done.successCount + done.failedCount).toBe(ids.length);
    expect(done.successCount).toBeGreaterThan(30);
    const bogus = done.results.find((r: Json) => r.crmId === 'bogus1');
    expect(bogus).toMatchObject({ status: 'CRM_OPERATION_FAILED', errorCode: 'InvalidArgument' });
    const coolOff = done.results.find((r: Json) => r.crmId === SEED.coolOff);
    expect(coolOff).toMatchObject({ status: 'FLOW_ASSIGNMENT_FAILED', errorCode: 'InvalidState' });
    const ok = done.results.find((r: Json) => r.crmId === SEED.sfLead);
    expect(ok).toMatchObject({ status: 'ASSIGNED', prospect: { crmId: SEED.sfLead } });
    expect(sim.state.instances.find((i) => i.id === ok.flowInstanceId)).toMatchObject({ flowId: SEED.otherFlowId, ownerEmail: SEED.repEmail });
    expect((await gongError(call('gong_engage_prospects_bulk_assign_status', { assignment_id: '1299999999999999' }))).status).toBe(404);
  });
});

describe('limits', () => {
  it('allows 3 calls per second, then 429 with an integer Retry-After ≥ 1', async () => {
    const { sim, clock, call } = setup({ limits: {} });
    for (let i = 0; i < 3; i++) await call('gong_engage_workspaces_list');
    clock.advance(400);
    const err = await gongError(call('gong_engage_workspaces_list'));
    expect(err.status).toBe(429);
    expect(Number.isInteger(err.retryAfter)).toBe(true);
    expect(err.retryAfter).toBeGreaterThanOrEqual(1);
    expect(err.body).toEqual({ requestId: expect.any(String), errors: [expect.stringMatching(/limit/)] });
    clock.advance(600);
    await call('gong_engage_workspaces_list');
    const s = sim.stats();
    expect(s).toMatchObject({ totalCalls: 5, callsToday: 5, rateLimited: 1, maxCallsInAnySecond: 4, byTool: { gong_engage_workspaces_list: 5 } });
    expect(sim.callLog.map((e) => e.outcome)).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'ok']);
    expect(sim.callLog[3]).toMatchObject({ tool: 'gong_engage_workspaces_list', status: 429, at: T0 + 400 });
  });

  it('keeps maxCallsInAnySecond at 3 when calls are spaced', async () => {
    const { sim, clock, call } = setup({ limits: {} });
    for (let i = 0; i < 12; i++) {
      await call('gong_users_list');
      clock.advance(334);
    }
    expect(sim.stats()).toMatchObject({ totalCalls: 12, rateLimited: 0, maxCallsInAnySecond: 3 });
  });

  it('enforces the daily budget until the next UTC day', async () => {
    const { sim, clock, call } = setup({ limits: { perSecond: 100, perDay: 5 } });
    for (let i = 0; i < 5; i++) await call('gong_trackers_list');
    const err = await gongError(call('gong_trackers_list'));
    expect(err.status).toBe(429);
    const midnight = Date.UTC(2025, 2, 13);
    expect(err.retryAfter).toBe(Math.ceil((midnight - T0) / 1000));
    expect(err.body.errors[0]).toMatch(/daily/);
    clock.advance(midnight - T0);
    await call('gong_trackers_list');
    expect(sim.stats().callsToday).toBe(1);
    expect(sim.stats().totalCalls).toBe(7);
  });
});

describe('faults', () => {
  it('injects 500/503/429 for a number of calls, optionally per tool', async () => {
    const { sim, call } = setup();
    sim.faults.set({ kind: '500', times: 2 });
    expect((await gongError(call('gong_users_list'))).status).toBe(500);
    expect((await gongError(call('gong_scorecards_list'))).status).toBe(500);
    await call('gong_users_list');
    sim.faults.set({ tool: 'gong_engage_flows_list', kind: '503', times: Infinity });
    await call('gong_users_list');
    expect((await gongError(call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail }))).status).toBe(503);
    expect((await gongError(call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail }))).status).toBe(503);
    sim.faults.clear();
    await call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail });
    sim.faults.set({ kind: '429', retryAfter: 7 });
    const limited = await gongError(call('gong_users_list'));
    expect([limited.status, limited.retryAfter]).toEqual([429, 7]);
    expect(sim.stats().rateLimited).toBe(0);
  });

  it('drops the connection (SimulatedDrop) and slows answers down', async () => {
    const { sim, call } = setup();
    sim.faults.set({ tool: 'gong_engage_prospects_assign', kind: 'drop' });
    await expect(call('gong_engage_prospects_assign', assignInput([SEED.sfLead]))).rejects.toBeInstanceOf(SimulatedDrop);
    expect(sim.state.flowInstancesByProspect(SEED.sfLead)).toEqual([]);
    sim.faults.set({ kind: 'slow', delayMs: 150 });
    const started = Date.now();
    await call('gong_engage_workspaces_list');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const again = Date.now();
    await call('gong_engage_workspaces_list');
    expect(Date.now() - again).toBeLessThan(140);
  });
});

describe('input validation', () => {
  it('answers 400 with field errors; ignores nulls (protobuf Struct for undefined)', async () => {
    const { call } = setup();
    const err = await gongError(call('gong_engage_flows_list', { flow_owner_email: 'not-an-email' }));
    expect(err.status).toBe(400);
    expect(err.body.errors[0]).toMatch(/^flow_owner_email:/);
    expect((await gongError(call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail, extra: 1 }))).status).toBe(400);
    const ok = await call('gong_engage_flows_list', { flow_owner_email: SEED.repEmail, cursor: null, workspace_id: null });
    expect(ok.flows).toHaveLength(10);
    expect((await gongError(call('gong_no_such_tool'))).status).toBe(404);
  });
});

describe('calls', () => {
  it('lists by date range and ids; 404 when nothing matches', async () => {
    const { call } = setup();
    const all = await call('gong_calls_list', {});
    expect(all.calls).toHaveLength(40);
    const from = new Date(T0 - 30 * DAY).toISOString();
    const recent = await call('gong_calls_list', { from_date_time: from, to_date_time: new Date(T0).toISOString() });
    expect(recent.calls.length).toBeGreaterThan(5);
    expect(recent.calls.length).toBeLessThan(40);
    expect(recent.calls.every((c: Json) => Date.parse(c.started) >= T0 - 30 * DAY)).toBe(true);
    const two = await call('gong_calls_list', { call_ids: `${SEED.callId},7880000000000000003` });
    expect(two.calls.map((c: Json) => c.id).sort()).toEqual([SEED.callId, '7880000000000000003']);
    const none = await gongError(call('gong_calls_list', { from_date_time: '2001-01-01T00:00:00Z', to_date_time: '2001-01-02T00:00:00Z' }));
    expect(none.status).toBe(404);
  });

  it('returns extensive details with CRM context, talk ratio and a transcript', async () => {
    const { call } = setup();
    const { calls } = await call('gong_calls_get', { call_ids: [SEED.callId] });
    const c = calls[0];
    expect(c.metaData.primaryUserId).toBe(SEED.repUserId);
    const ext = c.parties.find((p: Json) => p.affiliation === 'External');
    expect(ext.context[0]).toEqual({ system: 'Salesforce', objects: [{ objectType: 'Contact', objectId: SEED.sfContactWithFlows, timing: 'Now' }] });
    const ratio = c.interaction.interactionStats.find((s: Json) => s.name === 'Talk Ratio').value;
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(0.75);
    // UserSpeaker.id is "Unique ID of the participant in the call": the party's id, not its speakerId.
    const speakingParties = c.parties.filter((p: Json) => p.affiliation !== 'Unknown');
    expect(c.interaction.speakers.map((s: Json) => s.id).sort()).toEqual(speakingParties.map((p: Json) => p.id).sort());
    const tr = await call('gong_calls_transcript_get', { call_ids: [SEED.callId] });
    const segs = tr.callTranscripts[0].transcript;
    expect(segs.length).toBeGreaterThan(5);
    expect(segs.every((s: Json) => s.sentences.every((x: Json) => x.end > x.start && x.text.length > 0))).toBe(true);
  });

  it('creates a call that then appears in the list; a repeated clientUniqueId is 409', async () => {
    const { call } = setup();
    const input = { actual_start: '2025-03-12T14:00:00Z', client_unique_id: 'crm-call-1', title: 'Intro', duration: 300, parties: [{ emailAddress: SEED.repEmail }, { emailAddress: 'avery.thompson@globex.com' }] };
    const { callId } = await call('gong_calls_create', input);
    expect(callId).toMatch(/^\d+$/);
    const { calls } = await call('gong_calls_get', { call_ids: [callId] });
    expect(calls[0].metaData).toMatchObject({ id: callId, title: 'Intro', primaryUserId: SEED.repUserId, clientUniqueId: 'crm-call-1', scope: 'External' });
    expect(calls[0].parties[1].context[0].objects[0].objectId).toBe(SEED.sfContactWithFlows);
    expect((await gongError(call('gong_calls_create', input))).status).toBe(409);
  });
});

describe('persistence and reset', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sim-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('survives a restart, and a bulk assignment in progress continues after reload', async () => {
    const statePath = path.join(dir, 'gong.json');
    let now = T0;
    const opts = { now: () => new Date(now), statePath, limits: { perSecond: 1_000 } };
    const a = new GongSimulator(opts);
    await a.execute('gong_engage_prospects_assign', assignInput([SEED.sfLead]), ctx);
    await a.execute('gong_engage_task_complete', { task_id: SEED.openTaskId }, ctx);
    const bulk = (await a.execute('gong_engage_prospects_bulk_assign', { crm_prospect_ids: [SEED.hubspotContactNoFlows, SEED.hubspotLead], flow_id: SEED.flowId }, ctx)) as Json;
    a.close();
    expect(fs.readdirSync(dir)).toEqual(['gong.json']);
    now += 5_000;
    const b = new GongSimulator(opts);
    expect(b.state.flowInstancesByProspect(SEED.sfLead)).toHaveLength(1);
    expect(b.state.task(SEED.openTaskId)!.status).toBe('DONE');
    const st = (await b.execute('gong_engage_prospects_bulk_assign_status', { assignment_id: bulk.id }, ctx)) as Json;
    expect(st).toMatchObject({ status: 'COMPLETED', successCount: 2 });
    expect(b.state.raw.seededAt).toBe(a.state.raw.seededAt);
  });

  it('persists after the debounce without an explicit flush', async () => {
    const statePath = path.join(dir, 'gong.json');
    const a = new GongSimulator({ statePath, limits: { perSecond: 1_000 } });
    await a.execute('gong_engage_digital_interactions_create', { event_name: 'Visited', event_timestamp: '2025-03-12T15:00:00Z', prospect_email: 'a@b.com' }, ctx);
    await new Promise((r) => setTimeout(r, 150));
    const saved = JSON.parse(fs.readFileSync(statePath, 'utf8'));
    expect(saved.interactions).toHaveLength(1);
  });

  it('starts from the seed when the state file is unreadable', () => {
    const statePath = path.join(dir, 'gong.json');
    fs.writeFileSync(statePath, '{not json');
    const sim = new GongSimulator({ statePath });
    expect(sim.state.raw.prospects.length).toBe(SEED.prospectCount);
  });

  it('reset() restores the seed and clears stats, faults and the log', async () => {
    const { sim, call } = setup();
    await call('gong_engage_prospects_assign', assignInput([SEED.sfLead]));
    sim.faults.set({ kind: '500' });
    sim.reset();
    expect(sim.state.flowInstancesByProspect(SEED.sfLead)).toEqual([]);
    expect(sim.stats().totalCalls).toBe(0);
    expect(sim.callLog).toEqual([]);
    await call('gong_engage_workspaces_list');
  });
});
